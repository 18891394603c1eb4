import type { ModuleMigration } from '../modules/contract.ts';
import { REFERRAL_REMINDERS } from './reminders/migration.ts';

/**
 * The directory's mirror of slots (booking/slot-holding.ts keeps it in step with every Slot write, in
 * the write's transaction): the free slots by schedule and start, so a search's indicative waits are one
 * indexed query over 100 services and 100,000 slots; and which Appointment holds each busy slot, so an
 * Appointment write knows the slots it gives back. Both mirror public directory data (free Slots) or the
 * Slot's own booked-by extension: no patient label. Filled from the store once, when created.
 */
const SLOT_MIRROR = `
create table referrals_free_slot (
  slot_id text primary key,
  schedule_id text not null,
  start_at timestamptz not null,
  end_at timestamptz not null
);
create index referrals_free_slot_schedule_idx on referrals_free_slot (schedule_id, start_at);
create table referrals_slot_holder (
  slot_id text primary key,
  appointment_id text not null
);
create index referrals_slot_holder_appointment_idx on referrals_slot_holder (appointment_id);
insert into referrals_free_slot (slot_id, schedule_id, start_at, end_at)
  select id, split_part(c ->> 'reference', '/', 2), (s ->> 'start')::timestamptz, (s ->> 'end')::timestamptz
    from (select id, content::jsonb as s, content::jsonb -> 'schedule' as c
            from current_resource where resource_type = 'Slot' and not deleted) slots
   where s ->> 'status' = 'free' and c ->> 'reference' like 'Schedule/%';
insert into referrals_slot_holder (slot_id, appointment_id)
  select id, split_part(e ->> 'reference', '/', 2)
    from (select id, content::jsonb as s from current_resource where resource_type = 'Slot' and not deleted) slots,
         lateral (select x -> 'valueReference' as e from jsonb_array_elements(coalesce(s -> 'extension', '[]'::jsonb)) x
                   where x ->> 'url' = 'https://careweave.example/fhir/StructureDefinition/slot-booked-by' limit 1) held
   where s ->> 'status' = 'busy' and e ->> 'reference' like 'Appointment/%';
`;

/**
 * The referral module's own tables: operational state only (worklist positions, booking counters),
 * each row labelled with its patient as the record's rows are. Append; never edit a released one.
 */
/**
 * Lifecycle: each referral's unique booking reference number (UBRN) and the hash of the password on
 * the patient's letter (never the password), labelled with the referral's patient. The primary key
 * makes a UBRN unique; the ServiceRequest carries the UBRN as an identifier.
 */
const REFERRAL_UBRN = `
create table referrals_ubrn (
  ubrn char(12) primary key,
  service_request_id text not null unique,
  patient_id text not null,
  password_hash text not null,
  created_at timestamptz not null default now()
);
create index referrals_ubrn_patient_idx on referrals_ubrn (patient_id);
`;

/**
 * Directory: which active Schedules are a HealthcareService's diary (Schedule.actor), kept in step with
 * every Schedule write like the slot mirror, so a search finds its services' first free slots in one
 * query without searching Schedules. Public directory data (active Schedules): no patient label.
 */
const SCHEDULE_MIRROR = `
create table referrals_schedule_service (
  schedule_id text not null,
  service_id text not null,
  primary key (schedule_id, service_id)
);
create index referrals_schedule_service_service_idx on referrals_schedule_service (service_id);
insert into referrals_schedule_service (schedule_id, service_id)
  select distinct id, split_part(a ->> 'reference', '/', 2)
    from (select id, content::jsonb as s from current_resource where resource_type = 'Schedule' and not deleted) schedules,
         jsonb_array_elements(coalesce(s -> 'actor', '[]'::jsonb)) a
   where coalesce(s ->> 'active', 'true') <> 'false' and a ->> 'reference' like 'HealthcareService/%';
`;

export const REFERRALS_MIGRATIONS: readonly ModuleMigration[] = [
  { version: 1, name: 'slot-mirror', sql: SLOT_MIRROR },
  { version: 2, name: 'referral-ubrn', sql: REFERRAL_UBRN },
  { version: 3, name: 'schedule-mirror', sql: SCHEDULE_MIRROR },
  { version: 4, name: 'referral-reminders', sql: REFERRAL_REMINDERS },
];
