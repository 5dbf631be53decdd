-- REST API, outbox relay and bridge (DESIGN.md §2, §3, §5, §6).

-- Payments as the API accepted them, and their current status for GET /payments/:id (a read model: polls
-- never call into the workflow). Decisions are written by the saga's recordDecision.
create table payments (
  payment_id    text primary key,
  caller        text,
  account_id    text not null,
  merchant_id   text not null,
  amount        bigint not null check (amount > 0),
  currency      char(3) not null,
  requested_at  timestamptz not null,
  status        text not null,
  decision      text,
  reason        text,
  decided_by    text,
  gateway_authorization_id text,
  decided_at    timestamptz,
  updated_at    timestamptz not null default now()
);
create index payments_by_account on payments (account_id, requested_at desc);

create table payment_timeline (
  id          bigint generated always as identity primary key,
  payment_id  text not null,
  at          timestamptz not null default now(),
  status      text not null,
  detail      jsonb not null default '{}'
);
create index payment_timeline_by_payment on payment_timeline (payment_id, id);

-- Idempotency-Key records of POST /payments, per caller: in flight while the first request runs, then its
-- response, replayed for the same key and body. Purged after their retention (at least 24 h).
create table idempotency_keys (
  caller           text not null,
  idempotency_key  text not null,
  request_hash     text not null,
  state            text not null check (state in ('in_flight', 'done')),
  response_status  integer,
  response_body    jsonb,
  created_at       timestamptz not null default now(),
  locked_until     timestamptz not null,
  primary key (caller, idempotency_key)
);
create index idempotency_keys_by_age on idempotency_keys (created_at);

-- The relay wakes on a notification instead of polling hard.
create function outbox_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('outbox', '');
  return null;
end $$;
create trigger outbox_inserted after insert on outbox for each statement execute function outbox_notify();

-- The API records each override request; the saga then records what it did with it.
alter table operator_audit drop constraint operator_audit_outcome_check;
alter table operator_audit add constraint operator_audit_outcome_check
  check (outcome in ('requested', 'applied', 'ignored_already_decided', 'rejected_already_decided'));
