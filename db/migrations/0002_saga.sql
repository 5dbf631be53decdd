-- The authorization saga's own state (DESIGN.md §4 to §7).

-- Payments waiting for account state (DESIGN.md §5). A workflow registers here and reads account_states in
-- one transaction under the account's advisory lock; the bridge records a new state and lists the waiting
-- payments under the same lock. So either the payment sees the state, or the bridge sees the payment.
create table payment_waits (
  payment_id      text primary key,
  account_id      text not null,
  as_of_at_least  timestamptz not null,
  since           timestamptz not null default now()
);
create index payment_waits_by_account on payment_waits (account_id);

-- Funds paysaga holds for a payment (DESIGN.md §4, no overspend). A reservation counts against the
-- snapshot balance while it is held (gateway pending), and once authorized until a snapshot reflects it
-- (its as_of reaches authorized_at); it is released on decline, on gateway failure, or when reflected.
create table reservations (
  payment_id     text primary key,
  account_id     text not null,
  amount         bigint not null check (amount > 0),
  currency       char(3) not null,
  status         text not null check (status in ('held', 'authorized', 'released')),
  -- an operator's approval that went beyond the available funds (DESIGN.md §7.3)
  forced         boolean not null default false,
  reserved_at    timestamptz not null default now(),
  authorized_at  timestamptz,
  released_at    timestamptz,
  release_reason text,
  check (status <> 'authorized' or authorized_at is not null),
  check ((status = 'released') = (released_at is not null))
);
create index reservations_open_by_account on reservations (account_id) where status <> 'released';

-- Double-entry ledger: one transaction per posting, its entries balanced per currency (checked at commit).
create table ledger_transactions (
  transaction_id text primary key,
  payment_id     text not null,
  kind           text not null,
  created_at     timestamptz not null default now()
);
create index ledger_transactions_by_payment on ledger_transactions (payment_id);

create table ledger_entries (
  id              bigint generated always as identity primary key,
  transaction_id  text not null references ledger_transactions (transaction_id),
  ledger_account  text not null,
  direction       text not null check (direction in ('debit', 'credit')),
  amount          bigint not null check (amount > 0),
  currency        char(3) not null
);
create index ledger_entries_by_transaction on ledger_entries (transaction_id);
create index ledger_entries_by_account on ledger_entries (ledger_account);

create function ledger_transaction_balanced() returns trigger language plpgsql as $$
declare
  txn text := coalesce(new.transaction_id, old.transaction_id);
begin
  if exists (
    select 1 from ledger_entries where transaction_id = txn
    group by currency
    having sum(case direction when 'debit' then amount else -amount end) <> 0
  ) then
    raise exception 'ledger transaction % does not balance', txn using errcode = 'check_violation';
  end if;
  return null;
end $$;

create constraint trigger ledger_entries_balanced
  after insert or update or delete on ledger_entries
  deferrable initially deferred
  for each row execute function ledger_transaction_balanced();

-- Transactional outbox: events written with the state change that caused them, published by the relay.
create table outbox (
  id           bigint generated always as identity primary key,
  event_id     uuid not null unique,
  topic        text not null,
  message_key  text not null,
  payload      jsonb not null,
  created_at   timestamptz not null default now(),
  sent_at      timestamptz
);
create index outbox_unsent on outbox (id) where sent_at is null;

-- Every operator override the saga received, applied or not (DESIGN.md §7.7).
create table operator_audit (
  id           bigint generated always as identity primary key,
  signal_id    text not null unique,
  payment_id   text not null,
  operator     text not null,
  decision     text not null check (decision in ('approve', 'decline')),
  reason       text not null,
  outcome      text not null check (outcome in ('applied', 'ignored_already_decided')),
  recorded_at  timestamptz not null default now()
);
create index operator_audit_by_payment on operator_audit (payment_id);

-- The gateway simulator's own records, in its own schema: it stands for another company's system.
create schema gateway;
create table gateway.authorizations (
  idempotency_key   text primary key,
  request_hash      text not null,
  payment_id        text not null,
  account_id        text not null,
  merchant_id       text not null,
  amount            bigint not null,
  currency          char(3) not null,
  status            text not null check (status in ('authorized', 'declined', 'voided')),
  authorization_id  text unique,
  decline_code      text,
  created_at        timestamptz not null default now(),
  voided_at         timestamptz
);
create index gateway_authorizations_by_payment on gateway.authorizations (payment_id);
