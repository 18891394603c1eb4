/**
 * The National Data Opt-out (docs/ACCESS.md, *Two kinds of opt-out*; access/data-opt-out.ts): one
 * row per Consent that records a patient's opt-out in force (status active, policy the national data
 * opt-out, scope research, provision deny), with its period; replaced whenever the Consent is
 * written, removed when it is deleted or withdrawn. Secondary-use clients (planning, research) see
 * nothing of a patient with a row valid now (access/secondary-use.ts); nothing else reads it.
 *
 * Consents written before this migration are taken over here with the same rules (the period's ends
 * as full dates or date-times; a partial date leaves that end open, as the portal never writes one),
 * and `relabelAll` (access/relabel.ts) rebuilds the table exactly from the stored Consents.
 */
export const sql = `
create table access_data_opt_out (
  consent_id text primary key,
  patient_id text not null,
  valid_from timestamptz,
  valid_to timestamptz
);
create index access_data_opt_out_patient_idx on access_data_opt_out (patient_id);

insert into access_data_opt_out (consent_id, patient_id, valid_from, valid_to)
select c.id, c.patient_id,
       case when c.period ->> 'start' ~ '^\\d{4}-\\d{2}-\\d{2}T' then (c.period ->> 'start')::timestamptz
            when c.period ->> 'start' ~ '^\\d{4}-\\d{2}-\\d{2}$'
              then (c.period ->> 'start')::date::timestamp at time zone 'UTC' end,
       case when c.period ->> 'end' ~ '^\\d{4}-\\d{2}-\\d{2}T' then (c.period ->> 'end')::timestamptz
            when c.period ->> 'end' ~ '^\\d{4}-\\d{2}-\\d{2}$'
              then ((c.period ->> 'end')::date + 1)::timestamp at time zone 'UTC' - interval '1 millisecond' end
  from (select id, patient_id, content::jsonb as doc, content::jsonb -> 'provision' -> 'period' as period
          from current_resource
         where resource_type = 'Consent' and not deleted and patient_id is not null) c
 where c.doc ->> 'status' = 'active'
   and c.doc -> 'provision' ->> 'type' = 'deny'
   and c.doc -> 'policy' @> '[{"uri": "https://digital.nhs.uk/services/national-data-opt-out"}]'
   and exists (select 1 from jsonb_array_elements(c.doc -> 'scope' -> 'coding') s
                where s ->> 'code' = 'research'
                  and coalesce(s ->> 'system', 'http://terminology.hl7.org/CodeSystem/consentscope')
                      = 'http://terminology.hl7.org/CodeSystem/consentscope');
`;
