import type { Server } from 'node:http';
import type { Express } from 'express';

/** Starts an express app on host:port (port 0: any free port); resolves once it listens. */
export function listen(app: Express, port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}
