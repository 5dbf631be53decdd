-- The read model is built from events (DESIGN.md §4, §6); the inbox makes every consumer idempotent.

-- Events each consumer has applied, claimed in the transaction of their effects. Purged a day after the
-- event topics' retention (nothing older can be replayed).
create table inbox (
  consumer    text not null,
  event_id    uuid not null,
  applied_at  timestamptz not null default now(),
  primary key (consumer, event_id)
);
create index inbox_by_age on inbox (applied_at);

-- Who asked for a payment over the api: the api's own record, kept apart from the read model because events
-- do not carry the caller, and a rebuild of the read model must not forget it.
create table payment_callers (
  payment_id  text primary key,
  caller      text not null
);
insert into payment_callers (payment_id, caller) select payment_id, caller from payments where caller is not null;
alter table payments drop column caller;

-- Each timeline entry comes from one event.
alter table payment_timeline add column event_id uuid;
create unique index payment_timeline_by_event on payment_timeline (event_id);
create index payments_by_status on payments (status, requested_at desc);
