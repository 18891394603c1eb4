/**
 * A patient's Consent is their own record, no organisation's (docs/ACCESS.md, *What each resource
 * is*): Consents written before this rule were labelled with the registered practice as their
 * source, which let the practice change or withdraw them. Their labels lose the source; the policy
 * then lets only the patient, or staff on the patient's documented instruction, change them.
 */
export const sql = `
update resource set source_org = null where resource_type = 'Consent' and source_org is not null;
`;
