-- The newest account-state version each waiting payment already has (from beginWaiting, or the bridge's last
-- signal to it). The bridge signals a waiter only with a state that is fresh for it and newer than this, so a
-- busy legacy feed does not grow the payment's history; it records the version after the signal succeeded, so
-- a crash in between repeats one harmless signal rather than losing the wake-up.
alter table payment_waits add column signalled_version bigint;
