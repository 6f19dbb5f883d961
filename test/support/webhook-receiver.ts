import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamChat } from 'stream-chat';
import { TEST_API_KEY, TEST_API_SECRET } from './herald-server.js';

export interface Delivery {
  id: string;
  attempt: number;
  apiKey: string;
  verified: boolean;
  status: number;
  /** The raw body, as signed. */
  body: string;
  event: Record<string, any>;
}

/**
 * A real webhook receiver on loopback (outside Herald, so a fake is fine). It checks every
 * signature with stream-chat's verifyWebhook and can answer 500, hang, or refuse connections.
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  /** ok: 200; fail: 500; hang: never answers (the sender's attempt times out). */
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  private server: Server | undefined;
  private port = 0;
  private readonly verifier = new StreamChat(TEST_API_KEY, TEST_API_SECRET);

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Accepted (2xx) deliveries, in arrival order. */
  get accepted(): Delivery[] {
    return this.deliveries.filter((d) => d.status === 200);
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        const status = { ok: 200, fail: 500, hang: 0 }[this.mode];
        this.deliveries.push({
          id: String(request.headers['x-webhook-id']),
          attempt: Number(request.headers['x-webhook-attempt']),
          apiKey: String(request.headers['x-api-key']),
          verified: this.verifier.verifyWebhook(raw, String(request.headers['x-signature'])),
          status,
          body: raw.toString('utf8'),
          event: JSON.parse(raw.toString('utf8')) as Record<string, any>,
        });
        if (status !== 0) response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening: connections are refused until start() again (same port). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  events(type?: string): Array<Record<string, any>> {
    return this.accepted.map((d) => d.event).filter((e) => !type || e.type === type);
  }
}
