-- 0007 case keys checked on write: the case-model tables that grow with every record (all of 0002
-- but organisations) lose their PRIMARY KEY, i.e. DuckDB's ART index. Maintaining those indexes was
-- most of the cost of a bulk load (issue 5: a 1,000,000-row file wrote 8.4 million keyed rows, and
-- inserting and committing the indexes took longer than everything else together).
-- The keys stay keys: palermo.cases refuses a write whose key repeats within the load or matches a
-- stored row (one vectorised check per table, in the write's transaction), as palermo.ingest already
-- does for ingest_records (0004). Every write to these tables goes through palermo.cases. Key
-- columns stay NOT NULL. organisations (few rows, shared by many cases) keeps its primary key.
-- Each table is rebuilt with the same columns, defaults and comments, and keeps its rows. Keys:
--   persons (person_id)
--   person_identities (person_id)
--   cases (case_id)
--   case_victims (case_id, person_id)
--   journey_events (case_id, sequence)
--   case_exploitation (case_id, category, code)
--   case_means_of_control (case_id, code)
--   case_trafficker_relations (case_id, code)
--   perpetrators (perpetrator_id)
--   referrals (referral_id)
--   consents (case_id, person_id)
--   support_plans (plan_id)
--   case_comments (comment_id)

ALTER TABLE persons RENAME TO persons_keyed;
CREATE TABLE persons (
    person_id VARCHAR NOT NULL,
    gender VARCHAR,
    birth_year INTEGER,
    age_at_identification INTEGER,
    age_band VARCHAR,
    majority_status VARCHAR,
    majority_status_at_exploitation VARCHAR,
    majority_status_at_entry VARCHAR,
    citizenship VARCHAR[] NOT NULL DEFAULT [],
    citizenship_regions VARCHAR[] NOT NULL DEFAULT [],
    primary_language VARCHAR,
    secondary_language VARCHAR,
    marital_status VARCHAR,
    number_of_children INTEGER,
    highest_education VARCHAR,
    deceased BOOLEAN,
    dataset_id VARCHAR NOT NULL
);
INSERT INTO persons SELECT * FROM persons_keyed;
DROP TABLE persons_keyed;
COMMENT ON TABLE persons IS 'HTCDS prs_ (non-identifying part): a person by pseudonymous id. Identifying values live in person_identities.';
COMMENT ON COLUMN persons.age_band IS 'CTDC ageBroad at registration (list age_band, e.g. 18--20)';
COMMENT ON COLUMN persons.majority_status IS 'CTDC majorityStatus at registration (list majority_status)';
COMMENT ON COLUMN persons.majority_status_at_exploitation IS 'CTDC majorityStatusAtExploit';
COMMENT ON COLUMN persons.majority_status_at_entry IS 'CTDC majorityEntry';
COMMENT ON COLUMN persons.citizenship IS 'prs_Citizenship: ISO 3166-1 alpha-3 codes';
COMMENT ON COLUMN persons.citizenship_regions IS 'UN regions of citizenship when only the region is known (CTDC VP UN_COO_Region)';

ALTER TABLE person_identities RENAME TO person_identities_keyed;
CREATE TABLE person_identities (
    person_id VARCHAR NOT NULL,
    salutation VARCHAR,
    given_name VARCHAR,
    middle_name VARCHAR,
    family_name VARCHAR,
    birth_date DATE,
    identity_number VARCHAR,
    document_numbers VARCHAR[] NOT NULL DEFAULT [],
    title VARCHAR,
    email VARCHAR,
    home_phone VARCHAR,
    mobile_phone VARCHAR,
    mailing_street VARCHAR,
    mailing_city VARCHAR,
    mailing_state VARCHAR,
    mailing_postal_code VARCHAR,
    mailing_country VARCHAR,
    mailing_longitude DOUBLE,
    mailing_latitude DOUBLE,
    dataset_id VARCHAR NOT NULL
);
INSERT INTO person_identities SELECT * FROM person_identities_keyed;
DROP TABLE person_identities_keyed;
COMMENT ON TABLE person_identities IS 'HTCDS prs_ identifying fields (names, birth date, numbers, contact details). Kept apart so it can stay at the agency; never exported, logged or put in messages.';

ALTER TABLE cases RENAME TO cases_keyed;
CREATE TABLE cases (
    case_id VARCHAR NOT NULL,
    organisation_id VARCHAR NOT NULL,
    registration_date DATE,
    registration_year INTEGER,
    registration_period VARCHAR,
    data_source VARCHAR,
    status VARCHAR,
    closure_reason VARCHAR,
    case_owner_id VARCHAR,
    dataset_id VARCHAR NOT NULL
);
INSERT INTO cases SELECT * FROM cases_keyed;
DROP TABLE cases_keyed;
COMMENT ON TABLE cases IS 'HTCDS cas_: one organisation''s record of one situation; CTDC yearOfRegistration, Datasource.';
COMMENT ON COLUMN cases.organisation_id IS 'the organisation holding the case (organisations.organisation_id)';
COMMENT ON COLUMN cases.registration_period IS 'binned registration year when only the bin is known (CTDC VP yearRegister)';
COMMENT ON COLUMN cases.data_source IS 'CTDC Datasource (list data_source)';
COMMENT ON COLUMN cases.status IS 'cas_Status (list case_status)';

ALTER TABLE case_victims RENAME TO case_victims_keyed;
CREATE TABLE case_victims (
    case_id VARCHAR NOT NULL,
    person_id VARCHAR NOT NULL,
    trafficking_status VARCHAR,
    trafficking_status_decided_by VARCHAR,
    age_when_trafficked INTEGER,
    trafficking_duration_band VARCHAR,
    is_abduction BOOLEAN,
    recruitment_methods VARCHAR[] NOT NULL DEFAULT [],
    recruitment_websites_and_apps VARCHAR[] NOT NULL DEFAULT [],
    exploitation_websites_and_apps VARCHAR[] NOT NULL DEFAULT [],
    dataset_id VARCHAR NOT NULL
);
INSERT INTO case_victims SELECT * FROM case_victims_keyed;
DROP TABLE case_victims_keyed;
COMMENT ON TABLE case_victims IS 'HTCDS vic_ (Person - Victim Context): a person as a victim in a case; CTDC traffickMonths, isAbduction.';
COMMENT ON COLUMN case_victims.trafficking_status_decided_by IS 'vic_TraffickingStatusDecisionMakingOrg (list trafficking_status_decision_org)';

ALTER TABLE journey_events RENAME TO journey_events_keyed;
CREATE TABLE journey_events (
    case_id VARCHAR NOT NULL,
    sequence INTEGER NOT NULL,
    event_type VARCHAR NOT NULL,
    person_id VARCHAR,
    country VARCHAR,
    region VARCHAR,
    state VARCHAR,
    city VARCHAR,
    street VARCHAR,
    postal_code VARCHAR,
    longitude DOUBLE,
    latitude DOUBLE,
    event_year INTEGER,
    event_month INTEGER,
    event_day INTEGER,
    location_organisation_id VARCHAR,
    description VARCHAR,
    dataset_id VARCHAR NOT NULL
);
INSERT INTO journey_events SELECT * FROM journey_events_keyed;
DROP TABLE journey_events_keyed;
COMMENT ON TABLE journey_events IS 'HTCDS hte_ (Historic Trafficking Events): the journey as ordered events (Recruitment, Transit, Exploitation); CTDC CountryOfExploitation is an Exploitation event.';
COMMENT ON COLUMN journey_events.sequence IS 'order of the event in the case, from 1';
COMMENT ON COLUMN journey_events.event_year IS 'hte_Date, possibly partial: year, then month, then day';
COMMENT ON COLUMN journey_events.location_organisation_id IS 'vic_LocationOfRecruitment / vic_LocationOfExploitation (lookup to organisation)';

ALTER TABLE case_exploitation RENAME TO case_exploitation_keyed;
CREATE TABLE case_exploitation (
    case_id VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    present BOOLEAN NOT NULL DEFAULT true,
    dataset_id VARCHAR NOT NULL
);
INSERT INTO case_exploitation SELECT * FROM case_exploitation_keyed;
DROP TABLE case_exploitation_keyed;
COMMENT ON TABLE case_exploitation IS 'vic_TypeOfExploitation, vic_ForcedLabourIndustry, vic_TypeOfSexExploitation: many per case; CTDC is*, typeOfLabour*, typeOfSex* flags. No row: unknown; present=false: recorded absent (CTDC 0).';
COMMENT ON COLUMN case_exploitation.category IS 'the list the code is from: exploitation_type, labour_sector or sex_exploitation_type';

ALTER TABLE case_means_of_control RENAME TO case_means_of_control_keyed;
CREATE TABLE case_means_of_control (
    case_id VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    present BOOLEAN NOT NULL DEFAULT true,
    dataset_id VARCHAR NOT NULL
);
INSERT INTO case_means_of_control SELECT * FROM case_means_of_control_keyed;
DROP TABLE case_means_of_control_keyed;
COMMENT ON TABLE case_means_of_control IS 'vic_MethodsOfControl: many per case (list means_of_control); CTDC meansOfControl* and means* flags. present=false: recorded absent.';

ALTER TABLE case_trafficker_relations RENAME TO case_trafficker_relations_keyed;
CREATE TABLE case_trafficker_relations (
    case_id VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    present BOOLEAN NOT NULL DEFAULT true,
    dataset_id VARCHAR NOT NULL
);
INSERT INTO case_trafficker_relations SELECT * FROM case_trafficker_relations_keyed;
DROP TABLE case_trafficker_relations_keyed;
COMMENT ON TABLE case_trafficker_relations IS 'vic_RelationshipToTrafficker (list relationship_to_trafficker); CTDC recruiterRelation* flags and RecruiterRelationship. present=false: recorded absent.';

ALTER TABLE perpetrators RENAME TO perpetrators_keyed;
CREATE TABLE perpetrators (
    case_id VARCHAR NOT NULL,
    perpetrator_id VARCHAR NOT NULL,
    person_id VARCHAR,
    organisation_id VARCHAR,
    is_group BOOLEAN NOT NULL DEFAULT false,
    roles VARCHAR[] NOT NULL DEFAULT [],
    role_details VARCHAR,
    genders VARCHAR[] NOT NULL DEFAULT [],
    age_bands VARCHAR[] NOT NULL DEFAULT [],
    citizenship VARCHAR[] NOT NULL DEFAULT [],
    citizenship_regions VARCHAR[] NOT NULL DEFAULT [],
    relations_to_victim VARCHAR[] NOT NULL DEFAULT [],
    victim_paid BOOLEAN[] NOT NULL DEFAULT [],
    dataset_id VARCHAR NOT NULL
);
INSERT INTO perpetrators SELECT * FROM perpetrators_keyed;
DROP TABLE perpetrators_keyed;
COMMENT ON TABLE perpetrators IS 'HTCDS per_ (Person - Perpetrator Context): roles (per_RoleInProcess), per_Organisation; CTDC VP IP_* variables. is_group: one row summarising every perpetrator of the victim, lists holding every value reported.';

ALTER TABLE referrals RENAME TO referrals_keyed;
CREATE TABLE referrals (
    case_id VARCHAR NOT NULL,
    referral_id VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    organisation_id VARCHAR,
    case_worker_id VARCHAR,
    referral_date DATE,
    reason VARCHAR,
    details VARCHAR,
    dataset_id VARCHAR NOT NULL
);
INSERT INTO referrals SELECT * FROM referrals_keyed;
DROP TABLE referrals_keyed;
COMMENT ON TABLE referrals IS 'HTCDS cas_ Referral Details: Incoming (cas_ReferringOrganisation, cas_IncomingReferralDate ...) and Outgoing (cas_ReferredOrganisation, cas_OutgoingReferralDate ...).';

ALTER TABLE consents RENAME TO consents_keyed;
CREATE TABLE consents (
    case_id VARCHAR NOT NULL,
    person_id VARCHAR NOT NULL,
    consent BOOLEAN,
    informed_purpose_of_interview BOOLEAN,
    informed_use_of_data BOOLEAN,
    informed_data_for_research BOOLEAN,
    informed_right_to_be_forgotten BOOLEAN,
    informed_storage_duration BOOLEAN,
    informed_withdrawal_process BOOLEAN,
    recorded_on DATE,
    dataset_id VARCHAR NOT NULL
);
INSERT INTO consents SELECT * FROM consents_keyed;
DROP TABLE consents_keyed;
COMMENT ON TABLE consents IS 'HTCDS v2.0 con_Consent plus the v1.0 sub-questions (con_PurposeOfInterview, con_UseOfData, con_DataForResearch, con_RightToBeForgotten) and the v2.0 guidance questions.';

ALTER TABLE support_plans RENAME TO support_plans_keyed;
CREATE TABLE support_plans (
    case_id VARCHAR NOT NULL,
    plan_id VARCHAR NOT NULL,
    person_id VARCHAR,
    plan_type VARCHAR,
    objectives VARCHAR,
    action_plan VARCHAR,
    planned_end_date DATE,
    actual_end_date DATE,
    dataset_id VARCHAR NOT NULL
);
INSERT INTO support_plans SELECT * FROM support_plans_keyed;
DROP TABLE support_plans_keyed;
COMMENT ON TABLE support_plans IS 'HTCDS spl_ (Support Plan).';

ALTER TABLE case_comments RENAME TO case_comments_keyed;
CREATE TABLE case_comments (
    case_id VARCHAR NOT NULL,
    comment_id VARCHAR NOT NULL,
    comment VARCHAR NOT NULL,
    dataset_id VARCHAR NOT NULL
);
INSERT INTO case_comments SELECT * FROM case_comments_keyed;
DROP TABLE case_comments_keyed;
COMMENT ON TABLE case_comments IS 'HTCDS cco_CaseComment: free text, restricted like identities.';
