/**
 * How a referral was made (docs/REFERRALS.md, "Analytics"): the code of the ServiceRequest's category
 * in the module's code system (…/CodeSystem/electronic-referral). The lifecycle makes only
 * `electronic-referral`s; a referral received on paper (or by letter, fax or e-mail) is recorded with
 * `paper-referral` or `other-referral`, so the electronic share is a count of categories.
 */
export const CHANNELS = ['electronic-referral', 'paper-referral', 'other-referral'] as const;
export type Channel = (typeof CHANNELS)[number];
/** The strategy's targets for the share of GP referrals made electronically: 80%, then 100%. */
export const ELECTRONIC_TARGETS = [0.8, 1] as const;
