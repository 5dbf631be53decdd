/**
 * A merchant's webhook endpoint for the fault suite: accepts every delivery (200) and remembers, per payment,
 * each distinct webhook id and the decision it carried. Signatures are the notifier's own suite's business.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookPayloadSchema } from '../../notifier/payload';

export interface ReceivedWebhook {
  webhookIds: Set<string>;
  decisions: Set<string>;
  deliveries: number;
}

export class WebhookReceiver {
  readonly received = new Map<string, ReceivedWebhook>();
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const parsed = webhookPayloadSchema.safeParse(safeJson(Buffer.concat(chunks).toString('utf8')));
        if (parsed.success) {
          const { paymentId, decision } = parsed.data.data;
          const entry = this.received.get(paymentId) ?? { webhookIds: new Set(), decisions: new Set(), deliveries: 0 };
          entry.webhookIds.add(String(req.headers['webhook-id'] ?? ''));
          entry.decisions.add(decision);
          entry.deliveries++;
          this.received.set(paymentId, entry);
        }
        res.writeHead(parsed.success ? 200 : 400).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
