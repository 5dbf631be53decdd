// Generated from api/openapi.ts by `npm run api:client` (openapi-typescript): do not edit.

export interface paths {
    "/codec/decode": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Decrypts Temporal payloads with paysaga's payload codec, for the Temporal Web UI and CLI
         * @description Temporal's codec server protocol. A console session may call it from the Temporal Web UI's origin (CORS with credentials), without a CSRF token since it changes nothing. Payloads that are not encrypted come back unchanged.
         */
        post: operations["decodePayloads"];
        delete?: never;
        /** CORS preflight: allowed for the Temporal Web UI’s origin (and API_CODEC_ORIGINS) */
        options: operations["decodePayloadsPreflight"];
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/codec/encode": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Encrypts Temporal payloads with paysaga's payload codec (the Web UI encodes a signal's input with it)
         * @description Temporal's codec server protocol. A console session may call it from the Temporal Web UI's origin (CORS with credentials), without a CSRF token since it changes nothing.
         */
        post: operations["encodePayloads"];
        delete?: never;
        /** CORS preflight: allowed for the Temporal Web UI’s origin (and API_CODEC_ORIGINS) */
        options: operations["encodePayloadsPreflight"];
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/console/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in operator and the CSRF token of the session */
        get: operations["getConsoleSession"];
        put?: never;
        /**
         * Opens an operator console session: sets the HttpOnly session cookie
         * @description The operator token goes in the body, never in a URL. The session lasts CONSOLE_SESSION_TTL, until sign-out, or until its token leaves API_TOKENS.
         */
        post: operations["signInToConsole"];
        /** Ends the console session and clears its cookie */
        delete: operations["signOutOfConsole"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/payments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Payments, newest first: a client sees its own, an operator all (read model) */
        get: operations["listPayments"];
        put?: never;
        /** Request the authorization of a payment */
        post: operations["createPayment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/payments/{paymentId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Status and timeline of a payment */
        get: operations["getPayment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/payments/{paymentId}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A payment's state changes as Server-Sent Events, until its decision
         * @description Each event is one state change of the payment (a row of its timeline): `id:` its event id, `data:` a PaymentEvent as JSON. The stream sends what the payment has been through, then each change as it happens, and ends after the decision. A comment line (`: heartbeat`) every 15 s keeps it open through proxies. Reconnect with Last-Event-ID to receive only what came after that event. When the database fails to answer for about ten seconds the stream ends with an `event: error` (a `retry:` delay and a problem as `data:`), and a reconnect with Last-Event-ID resumes it.
         */
        get: operations["streamPaymentEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/payments/{paymentId}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Everything that happened to a payment, from its saga's history and the database (operators)
         * @description Oldest first. The saga's entries (account states with the saga's verdict, timers, gateway calls, override signals) come from its Temporal history; when that is gone (the namespace's retention) or Temporal does not answer, the answer comes from the database alone, with sagaHistory `unavailable` and the reason.
         */
        get: operations["getPaymentHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/payment-events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every payment's state changes as Server-Sent Events, in commit order (operators)
         * @description Each event is a row of a payment's timeline as it commits: `id:` its event id (`<transaction>-<row>`), `data:` a PaymentFeedEvent as JSON. A new stream starts at the current end (no backlog); with Last-Event-ID it resumes right after that event, without gaps or repeats. It ends only when the api stops or its database fails to answer for about ten seconds (then with an `event: error`, a `retry:` delay and a problem as `data:`); a comment line (`: heartbeat`) every 15 s keeps it open through proxies.
         */
        get: operations["streamAllPaymentEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/review-queue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Undecided payments waiting for account state or in review, soonest deadline first (operators) */
        get: operations["getReviewQueue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/payments/{paymentId}/override": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve or decline a pending payment (operators; audited) */
        post: operations["overridePayment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ledger/accounts/{ledgerAccount}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Balances and journal of a ledger account, e.g. customer:<accountId> (operators) */
        get: operations["getLedgerAccount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ledger/trial-balance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every ledger account balance and the totals (operators) */
        get: operations["getTrialBalance"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/dead-letters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Webhook deliveries the notifier gave up on, newest first (operators) */
        get: operations["listWebhookDeadLetters"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/dead-letters/{id}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deliver a dead-lettered webhook again, attempts reset (operators; audited) */
        post: operations["redeliverWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/dead-letters/kafka": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every topic's dead letters (<topic>.dlt) with their reasons, newest first (operators) */
        get: operations["listKafkaDeadLetters"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/dead-letters/kafka/{topic}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Publish a topic's dead letters not replayed before to the topic again (operators; audited)
         * @description Each original record is published again with its key, value and headers, once: a second replay sends only dead letters that came since. Replays of one topic run one at a time. Safe because every consumer deduplicates by event id.
         */
        post: operations["replayKafkaDeadLetters"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/merchants/{merchantId}/totals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A merchant's authorized amount and count per currency, from the exactly-once aggregate (operators) */
        get: operations["getMerchantTotals"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is up, and no role of it failed for good */
        get: operations["getLive"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** PostgreSQL and Temporal answer, the merchant totals have caught up, the bridge consumes */
        get: operations["getReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Metrics in the Prometheus text format */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "payment.authorization.decided": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sent to each of the merchant's endpoints (WEBHOOK_ENDPOINTS) when a payment is decided
         * @description Signed per Standard Webhooks (https://www.standardwebhooks.com): webhook-signature is `v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` under the endpoint's secret (a `whsec_` secret is base64). Refuse a timestamp more than 300 s from your clock. Any answer other than 2xx is retried with backoff, then dead-lettered; webhook-id is the same on every attempt: deduplicate by it.
         */
        post: operations["paymentDecidedWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        PaymentAccepted: {
            paymentId: string;
            /** @constant */
            status: "RECEIVED";
            statusUrl: string;
        };
        PaymentSummary: {
            paymentId: string;
            accountId: string;
            merchantId: string;
            amount: number;
            currency: string;
            requestedAt: string;
            /** @enum {string} */
            status: "RECEIVED" | "AUTHORIZED" | "DECLINED";
            decision: ("AUTHORIZED" | "DECLINED") | null;
            reason: ("APPROVED" | "OPERATOR_APPROVED" | "OPERATOR_DECLINED" | "INSUFFICIENT_FUNDS" | "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH" | "ACCOUNT_STATE_TIMEOUT" | "REVIEW_EXPIRED" | "GATEWAY_DECLINED" | "GATEWAY_UNAVAILABLE") | null;
            decidedBy: ("rules" | "operator" | "timeout") | null;
            gatewayAuthorizationId: string | null;
            decidedAt: string | null;
        };
        Payment: {
            paymentId: string;
            accountId: string;
            merchantId: string;
            amount: number;
            currency: string;
            requestedAt: string;
            /** @enum {string} */
            status: "RECEIVED" | "AUTHORIZED" | "DECLINED";
            decision: ("AUTHORIZED" | "DECLINED") | null;
            reason: ("APPROVED" | "OPERATOR_APPROVED" | "OPERATOR_DECLINED" | "INSUFFICIENT_FUNDS" | "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH" | "ACCOUNT_STATE_TIMEOUT" | "REVIEW_EXPIRED" | "GATEWAY_DECLINED" | "GATEWAY_UNAVAILABLE") | null;
            decidedBy: ("rules" | "operator" | "timeout") | null;
            gatewayAuthorizationId: string | null;
            decidedAt: string | null;
            timeline: {
                at: string;
                status: string;
                detail: {
                    [key: string]: unknown;
                };
            }[];
        };
        /** @description newest first; pass nextCursor as cursor for the next page */
        PaymentList: {
            payments: components["schemas"]["PaymentSummary"][];
            nextCursor: string | null;
        };
        /** @description the data of an event of a payment's stream; after the decision's event the stream ends */
        PaymentEvent: {
            paymentId: string;
            at: string;
            /** @enum {string} */
            status: "RECEIVED" | "AWAITING_ACCOUNT_STATE" | "PENDING_REVIEW" | "OVERRIDE_APPLIED" | "OVERRIDE_IGNORED" | "AUTHORIZED" | "DECLINED";
            detail: {
                [key: string]: unknown;
            };
        };
        /** @description everything that happened to a payment, oldest first: the saga's account states (used or ignored, and why), timers, gateway calls and override signals, and from the database its request, decision, overrides, reservation, ledger entries and webhook deliveries */
        PaymentHistory: {
            paymentId: string;
            workflowId: string;
            /** @description the saga in the Temporal Web UI */
            temporalUiUrl: string;
            /**
             * @description whether the saga's entries are in: without them the answer comes from the database alone
             * @enum {string}
             */
            sagaHistory: "available" | "unavailable";
            /** @description why the saga's history is unavailable; null when it is not */
            sagaHistoryReason: string | null;
            payment: components["schemas"]["PaymentSummary"];
            entries: components["schemas"]["PaymentHistoryEntry"][];
        };
        /** @description the data of an event of the stream of every payment's timeline */
        PaymentFeedEvent: {
            paymentId: string;
            at: string;
            /** @enum {string} */
            status: "RECEIVED" | "AWAITING_ACCOUNT_STATE" | "PENDING_REVIEW" | "OVERRIDE_APPLIED" | "OVERRIDE_IGNORED" | "AUTHORIZED" | "DECLINED";
            detail: {
                [key: string]: unknown;
            };
            accountId: string | null;
            merchantId: string | null;
            amount: number | null;
            currency: string | null;
        };
        /** @description the undecided payments waiting for account state or for an operator, soonest deadline first */
        ReviewQueue: {
            payments: {
                paymentId: string;
                accountId: string;
                merchantId: string;
                amount: number;
                currency: string;
                requestedAt: string;
                /** @enum {string} */
                status: "AWAITING_ACCOUNT_STATE" | "PENDING_REVIEW";
                /** @description when the payment entered this status */
                waitingSince: string;
                /** @description when the wait ends; null for a saga that did not record it */
                deadline: string | null;
            }[];
            /** @description how many payments match, of which the first `limit` are listed */
            total: number;
        };
        OverrideAccepted: {
            paymentId: string;
            signalId: string;
            /** @constant */
            status: "OVERRIDE_REQUESTED";
            /** @description the saga's state once it had the override; null if it did not answer */
            state: ("RECEIVED" | "AWAITING_ACCOUNT_STATE" | "PENDING_REVIEW" | "AUTHORIZING" | "AUTHORIZED" | "DECLINED") | null;
            /** @description what happens to the payment */
            detail: string;
        };
        Problem: {
            type: string;
            title: string;
            status: number;
            detail?: string;
            errors?: {
                field: string;
                message: string;
            }[];
        };
        /** @description balance = debits − credits; the journal is newest first */
        LedgerAccount: {
            ledgerAccount: string;
            balances: {
                currency: string;
                debits: number;
                credits: number;
                balance: number;
            }[];
            journal: {
                entryId: number;
                transactionId: string;
                paymentId: string;
                kind: string;
                /** @enum {string} */
                direction: "debit" | "credit";
                amount: number;
                currency: string;
                counterparts: string[];
                at: string;
            }[];
            nextCursor: string | null;
        };
        TrialBalance: {
            accounts: {
                currency: string;
                debits: number;
                credits: number;
                balance: number;
                ledgerAccount: string;
            }[];
            totals: {
                currency: string;
                debits: number;
                credits: number;
                balance: number;
            }[];
            balanced: boolean;
        };
        /** @description a webhook delivery the notifier gave up on */
        WebhookDeadLetter: {
            id: number;
            endpointId: string;
            merchantId: string;
            eventId: string;
            paymentId: string;
            attempts: number;
            lastError: string;
            /** @description HTTP status of the last attempt; null when none came back */
            lastStatus: number | null;
            createdAt: string;
            deadLetteredAt: string;
        };
        /** @description newest first; pass nextCursor as cursor for the next page */
        WebhookDeadLetterList: {
            deadLetters: components["schemas"]["WebhookDeadLetter"][];
            nextCursor: string | null;
        };
        /** @description scheduled again with its attempts reset; sent within a moment */
        WebhookRedeliveryAccepted: {
            deadLetterId: number;
            deliveryId: number;
            endpointId: string;
            eventId: string;
            /** @constant */
            status: "PENDING";
        };
        /** @description a record a consumer rejected, with its reason (never its other headers) */
        KafkaDeadLetter: {
            /** @description of the dead-letter topic */
            partition: number;
            /** @description in the dead-letter topic */
            offset: string;
            /** @description why the consumer rejected the record */
            reason: string;
            /** @description the consumer group that dead-lettered it */
            group: string;
            /** @description when it was dead-lettered */
            at: string;
            original: {
                topic: string;
                partition: number;
                offset: string;
            };
            key: string | null;
            /** @description the value with only the event contract fields shown (others [redacted]); a value not JSON is not shown */
            preview: string;
        };
        KafkaDeadLetterList: {
            topics: {
                /**
                 * @description a topic that has a dead-letter topic (<topic>.dlt)
                 * @enum {string}
                 */
                topic: "payments.authorization.requested" | "accounts.state.updated" | "payments.authorization.decided";
                /** @description newest first */
                deadLetters: components["schemas"]["KafkaDeadLetter"][];
                /** @description older dead letters left out of this list (it keeps the newest 1000) */
                omitted: number;
            }[];
        };
        /** @description republished to their topic; a second replay sends only new ones */
        KafkaDeadLetterReplayResult: {
            /**
             * @description a topic that has a dead-letter topic (<topic>.dlt)
             * @enum {string}
             */
            topic: "payments.authorization.requested" | "accounts.state.updated" | "payments.authorization.decided";
            /** @description how many records were published again */
            replayed: number;
            /** @description the dead letters replayed, in the order sent */
            deadLetters: components["schemas"]["KafkaDeadLetter"][];
        };
        /** @description authorized amount (minor units) and count per currency, counted exactly once per decided event */
        MerchantTotals: {
            merchantId: string;
            totals: {
                currency: string;
                authorizedAmount: number;
                authorizedCount: number;
            }[];
        };
        Live: {
            /** @constant */
            status: "live";
        };
        Ready: {
            /** @constant */
            status: "ready";
        };
        /** @description the body of a payment.authorization.decided webhook */
        PaymentDecidedWebhook: {
            /** @constant */
            type: "payment.authorization.decided";
            /** Format: date-time */
            timestamp: string;
            data: {
                paymentId: string;
                accountId: string;
                merchantId: string;
                amount: number;
                currency: string;
                /** @enum {string} */
                decision: "AUTHORIZED" | "DECLINED";
                /** @enum {string} */
                reason: "APPROVED" | "OPERATOR_APPROVED" | "OPERATOR_DECLINED" | "INSUFFICIENT_FUNDS" | "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH" | "ACCOUNT_STATE_TIMEOUT" | "REVIEW_EXPIRED" | "GATEWAY_DECLINED" | "GATEWAY_UNAVAILABLE";
                /** @enum {string} */
                decidedBy: "rules" | "operator" | "timeout";
                gatewayAuthorizationId?: string;
                exceededAvailableFunds?: boolean;
                /** Format: date-time */
                decidedAt: string;
            };
        };
        ConsoleSession: {
            operator: string;
            /** @description send it as the X-CSRF-Token header on every write made with the session */
            csrfToken: string;
            expiresAt: string;
            /** @description the Temporal Web UI's page of the namespace's workflows */
            temporalUiUrl: string;
        };
        /** @description the payloads, decoded or encoded, in the order they were sent */
        CodecPayloadsResult: {
            payloads: {
                metadata: {
                    [key: string]: string;
                };
                data: string;
            }[];
        };
        PaymentHistoryEntry: {
            at: string;
            /** @enum {string} */
            kind: "request" | "status" | "decision" | "account-state" | "timer" | "override-signal" | "override" | "reservation" | "gateway-call" | "ledger-entry" | "webhook-delivery";
            /** @enum {string} */
            source: "saga" | "database";
            /** @description one line for a person */
            title: string;
            /** @description the entry's facts; amounts in minor units */
            detail: {
                [key: string]: unknown;
            };
        };
        /** @description amount in minor units (e.g. cents) of an ISO 4217 currency */
        CreatePayment: {
            accountId: string;
            merchantId: string;
            amount: number;
            currency: string;
        };
        Override: {
            /** @enum {string} */
            decision: "approve" | "decline";
            reason: string;
        };
        WebhookRedelivery: {
            reason: string;
        };
        KafkaDeadLetterReplay: {
            reason: string;
        };
        /** @description an operator bearer token (API_TOKENS); sent in the body, never in a URL */
        ConsoleSignIn: {
            token: string;
        };
        /** @description Temporal's Payloads as protobuf JSON (metadata values and data in base64), as the Web UI and `temporal --codec-endpoint` send them */
        CodecPayloads: {
            payloads: {
                metadata?: {
                    [key: string]: string;
                };
                data?: string;
            }[];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    decodePayloads: {
        parameters: {
            query?: never;
            header?: {
                /** @description the namespace the payloads belong to; another than paysaga’s is refused (400) */
                "X-Namespace"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CodecPayloads"];
            };
        };
        responses: {
            /** @description the payloads, decoded, in their order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CodecPayloadsResult"];
                };
            };
            /** @description not valid JSON, not Payloads, or another namespace */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description TEMPORAL_CODEC is off */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description body over 2 MiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json (UTF-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a payload names a key id the codec does not hold, or fails authentication */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    decodePayloadsPreflight: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the CORS headers, for an allowed Origin */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    encodePayloads: {
        parameters: {
            query?: never;
            header?: {
                /** @description the namespace the payloads belong to; another than paysaga’s is refused (400) */
                "X-Namespace"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CodecPayloads"];
            };
        };
        responses: {
            /** @description the payloads, encoded, in their order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CodecPayloadsResult"];
                };
            };
            /** @description not valid JSON, not Payloads, or another namespace */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description TEMPORAL_CODEC is off */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description body over 2 MiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json (UTF-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    encodePayloadsPreflight: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the CORS headers, for an allowed Origin */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getConsoleSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the session */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsoleSession"];
                };
            };
            /** @description no live session cookie */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    signInToConsole: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsoleSignIn"];
            };
        };
        responses: {
            /** @description signed in */
            201: {
                headers: {
                    /** @description paysaga_session=…; Path=/; HttpOnly; SameSite=Strict; Max-Age=… */
                    "Set-Cookie": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsoleSession"];
                };
            };
            /** @description the body is not valid JSON or not a valid request (errors[] names each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a client token, or a sign-in from another origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description body over 16 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json (UTF-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    signOutOfConsole: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listPayments: {
        parameters: {
            query?: {
                accountId?: string;
                merchantId?: string;
                status?: "RECEIVED" | "AUTHORIZED" | "DECLINED";
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PaymentList"];
                };
            };
            /** @description invalid query (errors[] names each parameter) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the client or operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createPayment: {
        parameters: {
            query?: never;
            header: {
                /** @description scoped to the caller, kept at least 24 h: a retry with the same key and body gets the first answer */
                "Idempotency-Key": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreatePayment"];
            };
        };
        responses: {
            /** @description accepted; a replay of a key already answered carries Idempotent-Replayed: true */
            202: {
                headers: {
                    /** @description the status URL (not on a replay) */
                    Location?: string;
                    /** @description present on a replay */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PaymentAccepted"];
                };
            };
            /** @description invalid body, or Idempotency-Key missing or not 1-255 visible ASCII characters */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the client role, or may not create payments for this merchant */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description a request with this key is still in flight */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description body over 16 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json (UTF-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key reused with a different body */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getPayment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                paymentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the payment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Payment"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the client or operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown payment (or another client's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    streamPaymentEvents: {
        parameters: {
            query?: never;
            header?: {
                /** @description the id of the last event received: the stream resumes after it */
                "Last-Event-ID"?: string;
            };
            path: {
                paymentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the event stream (text/event-stream); each event's data is a PaymentEvent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description Last-Event-ID is not an event id */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the client or operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown payment (or another client's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getPaymentHistory: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                paymentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the payment's history */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PaymentHistory"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown payment */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    streamAllPaymentEvents: {
        parameters: {
            query?: never;
            header?: {
                /** @description the id of the last event received: the stream resumes after it */
                "Last-Event-ID"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the event stream (text/event-stream); each event's data is a PaymentFeedEvent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description Last-Event-ID is not an event id of this stream */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getReviewQueue: {
        parameters: {
            query?: {
                status?: "AWAITING_ACCOUNT_STATE" | "PENDING_REVIEW";
                accountId?: string;
                merchantId?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the queue */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReviewQueue"];
                };
            };
            /** @description invalid query (errors[] names each parameter) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    overridePayment: {
        parameters: {
            query?: never;
            header?: {
                /** @description the same key from the same operator on a payment is one override */
                "Idempotency-Key"?: string;
            };
            path: {
                paymentId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Override"];
            };
        };
        responses: {
            /** @description the override was sent to the saga */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OverrideAccepted"];
                };
            };
            /** @description the body is not valid JSON or not a valid request (errors[] names each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown payment */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description already decided */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description body over 16 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json (UTF-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getLedgerAccount: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: number;
            };
            header?: never;
            path: {
                ledgerAccount: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the account */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LedgerAccount"];
                };
            };
            /** @description invalid query or account name */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no entries */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getTrialBalance: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the trial balance */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TrialBalance"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listWebhookDeadLetters: {
        parameters: {
            query?: {
                merchantId?: string;
                endpointId?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeadLetterList"];
                };
            };
            /** @description invalid query (errors[] names each parameter) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    redeliverWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookRedelivery"];
            };
        };
        responses: {
            /** @description scheduled again */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookRedeliveryAccepted"];
                };
            };
            /** @description the body is not valid JSON or not a valid request (errors[] names each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown dead letter (or already redelivered) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the endpoint is no longer configured, or a delivery of the event is already scheduled */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description body over 16 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json (UTF-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Temporal is unavailable for a moment: retry */
            503: {
                headers: {
                    /** @description seconds */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listKafkaDeadLetters: {
        parameters: {
            query?: {
                topic?: "payments.authorization.requested" | "accounts.state.updated" | "payments.authorization.decided";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description per topic, its dead letters */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KafkaDeadLetterList"];
                };
            };
            /** @description invalid query (errors[] names each parameter) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the dead-letter topics are still being read, or this api does not follow them */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    replayKafkaDeadLetters: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                topic: "payments.authorization.requested" | "accounts.state.updated" | "payments.authorization.decided";
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["KafkaDeadLetterReplay"];
            };
        };
        responses: {
            /** @description replayed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KafkaDeadLetterReplayResult"];
                };
            };
            /** @description the body is not valid JSON or not a valid request (errors[] names each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description not a topic that has dead letters */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description body over 16 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the body is not application/json (UTF-8) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PostgreSQL or Kafka is unavailable for a moment (retry), or this api does not replay dead letters */
            503: {
                headers: {
                    /** @description seconds (absent when this api does not replay) */
                    "Retry-After"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getMerchantTotals: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                merchantId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the totals (an empty list for a merchant with no authorized payment) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MerchantTotals"];
                };
            };
            /** @description invalid merchant id */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description no valid bearer token */
            401: {
                headers: {
                    /** @description Bearer realm="paysaga" */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the token lacks the operator role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unexpected error (logged; the response says nothing more) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description the totals are still catching up, or this api does not read them */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getLive: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description live */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Live"];
                };
            };
            /** @description a role cannot recover */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getReady: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ready"];
                };
            };
            /** @description not ready (detail says why) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the metrics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
        };
    };
    paymentDecidedWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description the event id, the same on every attempt */
                "webhook-id": string;
                /** @description seconds since the Unix epoch, of this attempt */
                "webhook-timestamp": string;
                /** @description space-separated signatures `v1,<base64>` (several while a secret is rotated) */
                "webhook-signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PaymentDecidedWebhook"];
            };
        };
        responses: {
            /** @description delivered */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not delivered: retried with backoff, then dead-lettered */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
