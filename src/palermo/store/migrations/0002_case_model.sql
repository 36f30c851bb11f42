-- 0002 case model: the common case model, aligned with HTCDS v2.0 and able to hold every CTDC variable.
-- One table per model of palermo.cases (field names = column names; tests check they agree).
-- HTCDS prefixes: org_ -> organisations; prs_ -> persons + person_identities; vic_ -> case_victims,
-- case_exploitation, case_means_of_control, case_trafficker_relations; per_ -> perpetrators;
-- cas_ -> cases + referrals; cco_ -> case_comments; hte_ -> journey_events; spl_ -> support_plans;
-- con_ -> consents. Category columns hold plain string codes from palermo/cases/data/categories.yaml.
-- Every row carries dataset_id, a reference to datasets.dataset_id (0001), so a load can be traced
-- and removed. References between tables are checked by palermo.cases on write, not by FOREIGN KEY
-- constraints, so a dataset can be removed table by table.

CREATE TABLE organisations (
    organisation_id VARCHAR PRIMARY KEY,
    name VARCHAR,
    org_type VARCHAR,
    shipping_street VARCHAR,
    shipping_city VARCHAR,
    shipping_state VARCHAR,
    shipping_postal_code VARCHAR,
    shipping_country VARCHAR,
    shipping_longitude DOUBLE,
    shipping_latitude DOUBLE,
    phone VARCHAR,
    dataset_id VARCHAR NOT NULL
);
COMMENT ON TABLE organisations IS 'HTCDS org_: agencies, referral partners, businesses. org_type: list organisation_type; shipping_country: ISO 3166-1 alpha-3.';

CREATE TABLE persons (
    person_id VARCHAR PRIMARY KEY,
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
COMMENT ON TABLE persons IS 'HTCDS prs_ (non-identifying part): a person by pseudonymous id. Identifying values live in person_identities.';
COMMENT ON COLUMN persons.age_band IS 'CTDC ageBroad at registration (list age_band, e.g. 18--20)';
COMMENT ON COLUMN persons.majority_status IS 'CTDC majorityStatus at registration (list majority_status)';
COMMENT ON COLUMN persons.majority_status_at_exploitation IS 'CTDC majorityStatusAtExploit';
COMMENT ON COLUMN persons.majority_status_at_entry IS 'CTDC majorityEntry';
COMMENT ON COLUMN persons.citizenship IS 'prs_Citizenship: ISO 3166-1 alpha-3 codes';
COMMENT ON COLUMN persons.citizenship_regions IS 'UN regions of citizenship when only the region is known (CTDC VP UN_COO_Region)';

CREATE TABLE person_identities (
    person_id VARCHAR PRIMARY KEY,
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
COMMENT ON TABLE person_identities IS 'HTCDS prs_ identifying fields (names, birth date, numbers, contact details). Kept apart so it can stay at the agency; never exported, logged or put in messages.';

CREATE TABLE cases (
    case_id VARCHAR PRIMARY KEY,
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
COMMENT ON TABLE cases IS 'HTCDS cas_: one organisation''s record of one situation; CTDC yearOfRegistration, Datasource.';
COMMENT ON COLUMN cases.organisation_id IS 'the organisation holding the case (organisations.organisation_id)';
COMMENT ON COLUMN cases.registration_period IS 'binned registration year when only the bin is known (CTDC VP yearRegister)';
COMMENT ON COLUMN cases.data_source IS 'CTDC Datasource (list data_source)';
COMMENT ON COLUMN cases.status IS 'cas_Status (list case_status)';

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
    dataset_id VARCHAR NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
COMMENT ON TABLE case_victims IS 'HTCDS vic_ (Person - Victim Context): a person as a victim in a case; CTDC traffickMonths, isAbduction.';
COMMENT ON COLUMN case_victims.trafficking_status_decided_by IS 'vic_TraffickingStatusDecisionMakingOrg (list trafficking_status_decision_org)';

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
    dataset_id VARCHAR NOT NULL,
    PRIMARY KEY (case_id, sequence)
);
COMMENT ON TABLE journey_events IS 'HTCDS hte_ (Historic Trafficking Events): the journey as ordered events (Recruitment, Transit, Exploitation); CTDC CountryOfExploitation is an Exploitation event.';
COMMENT ON COLUMN journey_events.sequence IS 'order of the event in the case, from 1';
COMMENT ON COLUMN journey_events.event_year IS 'hte_Date, possibly partial: year, then month, then day';
COMMENT ON COLUMN journey_events.location_organisation_id IS 'vic_LocationOfRecruitment / vic_LocationOfExploitation (lookup to organisation)';

CREATE TABLE case_exploitation (
    case_id VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    present BOOLEAN NOT NULL DEFAULT true,
    dataset_id VARCHAR NOT NULL,
    PRIMARY KEY (case_id, category, code)
);
COMMENT ON TABLE case_exploitation IS 'vic_TypeOfExploitation, vic_ForcedLabourIndustry, vic_TypeOfSexExploitation: many per case; CTDC is*, typeOfLabour*, typeOfSex* flags. No row: unknown; present=false: recorded absent (CTDC 0).';
COMMENT ON COLUMN case_exploitation.category IS 'the list the code is from: exploitation_type, labour_sector or sex_exploitation_type';

CREATE TABLE case_means_of_control (
    case_id VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    present BOOLEAN NOT NULL DEFAULT true,
    dataset_id VARCHAR NOT NULL,
    PRIMARY KEY (case_id, code)
);
COMMENT ON TABLE case_means_of_control IS 'vic_MethodsOfControl: many per case (list means_of_control); CTDC meansOfControl* and means* flags. present=false: recorded absent.';

CREATE TABLE case_trafficker_relations (
    case_id VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    present BOOLEAN NOT NULL DEFAULT true,
    dataset_id VARCHAR NOT NULL,
    PRIMARY KEY (case_id, code)
);
COMMENT ON TABLE case_trafficker_relations IS 'vic_RelationshipToTrafficker (list relationship_to_trafficker); CTDC recruiterRelation* flags and RecruiterRelationship. present=false: recorded absent.';

CREATE TABLE perpetrators (
    case_id VARCHAR NOT NULL,
    perpetrator_id VARCHAR PRIMARY KEY,
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
COMMENT ON TABLE perpetrators IS 'HTCDS per_ (Person - Perpetrator Context): roles (per_RoleInProcess), per_Organisation; CTDC VP IP_* variables. is_group: one row summarising every perpetrator of the victim, lists holding every value reported.';

CREATE TABLE referrals (
    case_id VARCHAR NOT NULL,
    referral_id VARCHAR PRIMARY KEY,
    direction VARCHAR NOT NULL,
    organisation_id VARCHAR,
    case_worker_id VARCHAR,
    referral_date DATE,
    reason VARCHAR,
    details VARCHAR,
    dataset_id VARCHAR NOT NULL
);
COMMENT ON TABLE referrals IS 'HTCDS cas_ Referral Details: Incoming (cas_ReferringOrganisation, cas_IncomingReferralDate ...) and Outgoing (cas_ReferredOrganisation, cas_OutgoingReferralDate ...).';

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
    dataset_id VARCHAR NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
COMMENT ON TABLE consents IS 'HTCDS v2.0 con_Consent plus the v1.0 sub-questions (con_PurposeOfInterview, con_UseOfData, con_DataForResearch, con_RightToBeForgotten) and the v2.0 guidance questions.';

CREATE TABLE support_plans (
    case_id VARCHAR NOT NULL,
    plan_id VARCHAR PRIMARY KEY,
    person_id VARCHAR,
    plan_type VARCHAR,
    objectives VARCHAR,
    action_plan VARCHAR,
    planned_end_date DATE,
    actual_end_date DATE,
    dataset_id VARCHAR NOT NULL
);
COMMENT ON TABLE support_plans IS 'HTCDS spl_ (Support Plan).';

CREATE TABLE case_comments (
    case_id VARCHAR NOT NULL,
    comment_id VARCHAR PRIMARY KEY,
    comment VARCHAR NOT NULL,
    dataset_id VARCHAR NOT NULL
);
COMMENT ON TABLE case_comments IS 'HTCDS cco_CaseComment: free text, restricted like identities.';
