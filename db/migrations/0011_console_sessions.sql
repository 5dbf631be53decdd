-- Operator console sessions (api/console-session.ts): one row per sign-in. The cookie holds a random session
-- id; only its SHA-256 is stored, so a read of this table yields no usable session. The token's digest ties the
-- session to the bearer token it was opened with: rotating that token out of API_TOKENS ends its sessions.
create table console_sessions (
  id_digest     bytea primary key,
  token_digest  bytea not null,
  csrf_token    text not null,
  created_at    timestamptz not null default now(),
  expires_at    timestamptz not null
);
create index console_sessions_expiry on console_sessions (expires_at);
