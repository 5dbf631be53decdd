-- Merchant webhooks (DESIGN.md §4, §6, §8): the notifier turns each decided event into one delivery per
-- configured endpoint of its merchant, in the transaction that claims the event in the inbox.

-- Deliveries waiting for their next attempt, and those delivered (kept for WEBHOOK_RETENTION). The body is
-- text, not jsonb: the signature covers its exact bytes, and jsonb would reorder the keys.
create table webhook_deliveries (
  id               bigint generated always as identity primary key,
  endpoint_id      text not null,
  merchant_id      text not null,
  -- The decided event's id: the `webhook-id` of every attempt, so a receiver can deduplicate.
  event_id         uuid not null,
  payment_id       text not null,
  body             text not null,
  status           text not null default 'pending' check (status in ('pending', 'delivered')),
  attempts         integer not null default 0 check (attempts >= 0),
  -- When a pending delivery is due; while an attempt runs, the end of its lease (another notifier may take
  -- it over after that, when the first one died mid-attempt).
  next_attempt_at  timestamptz not null default now(),
  last_error       text,
  last_status      integer,
  delivered_at     timestamptz,
  created_at       timestamptz not null default now(),
  unique (endpoint_id, event_id),
  check ((status = 'delivered') = (delivered_at is not null))
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_delivered on webhook_deliveries (delivered_at) where status = 'delivered';

-- Deliveries the notifier gave up on (attempts exhausted, or the endpoint left the configuration), until an
-- operator redelivers them (back to webhook_deliveries) or WEBHOOK_RETENTION passes.
create table webhook_dead_letters (
  id                bigint generated always as identity primary key,
  endpoint_id       text not null,
  merchant_id       text not null,
  event_id          uuid not null,
  payment_id        text not null,
  body              text not null,
  attempts          integer not null,
  last_error        text not null,
  last_status       integer,
  created_at        timestamptz not null,
  dead_lettered_at  timestamptz not null default now()
);
create index webhook_dead_letters_by_age on webhook_dead_letters (dead_lettered_at);
create index webhook_dead_letters_by_merchant on webhook_dead_letters (merchant_id, id);

-- Idle notifiers wake on a notification instead of polling hard (a redelivery is an insert too).
create function webhook_deliveries_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('webhook_deliveries', '');
  return null;
end $$;
create trigger webhook_deliveries_inserted after insert on webhook_deliveries
  for each statement execute function webhook_deliveries_notify();

-- Operator actions other than overrides are audited too (DESIGN.md §7.7): what was done (action), to what
-- (detail), by whom and why. Only an override carries a decision.
alter table operator_audit add column action text not null default 'override'
  check (action in ('override', 'redeliver_webhook'));
alter table operator_audit add column detail jsonb not null default '{}';
alter table operator_audit alter column decision drop not null;
alter table operator_audit add constraint operator_audit_decision_of_override check ((action = 'override') = (decision is not null));
alter table operator_audit drop constraint operator_audit_outcome_check;
alter table operator_audit add constraint operator_audit_outcome_check
  check (outcome in ('requested', 'applied', 'ignored_already_decided', 'rejected_already_decided', 'redelivered'));
