-- Every decision, written with its ledger entries and its decided event (DESIGN.md §7.1). The bridge checks it
-- before starting a saga, so a request replayed after Temporal has purged the closed workflow (namespace
-- retention) cannot start a second saga. Kept a day longer than the event topics keep records.
create table payment_decisions (
  payment_id  text primary key,
  event_id    uuid not null,
  decision    text not null,
  decided_at  timestamptz not null
);
create index payment_decisions_by_age on payment_decisions (decided_at);
create index reservations_released on reservations (released_at) where status = 'released';
