-- The latest account snapshot per account from the legacy feed (DESIGN.md §5): one row per account,
-- replaced only by a higher version, so late and duplicate updates never move it backwards.
create table account_states (
  account_id  text primary key,
  version     bigint not null check (version >= 0),
  as_of       timestamptz not null,
  status      text not null check (status in ('active', 'frozen', 'closed')),
  balance     bigint not null,
  currency    char(3) not null check (currency ~ '^[A-Z]{3}$'),
  updated_at  timestamptz not null default now()
);
