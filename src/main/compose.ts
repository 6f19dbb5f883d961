import type { FastifyBaseLogger } from 'fastify';
import { uuidv7 } from 'uuidv7';
import type { AppDeps } from '../app/app-deps.js';
import { ChannelsService } from '../app/channels.js';
import { MessagesService } from '../app/messages.js';
import { UsersService } from '../app/users.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { buildApp } from '../http/build-app.js';
import type { Database } from '../storage/database.js';
import { createStorage } from '../storage/storage.js';

export interface Herald {
  deps: AppDeps;
  services: { users: UsersService; channels: ChannelsService; messages: MessagesService };
  buildHttp(options: { apiKey: string; apiSecret: string; bodyLimitBytes: number; logger: FastifyBaseLogger; isReady: () => boolean }): ReturnType<typeof buildApp>;
}

/** Wires the concrete adapters to the app services: the only place that knows both. */
export function composeHerald(database: Database, clock: Clock = systemClock): Herald {
  const deps: AppDeps = { storage: createStorage(database), clock, ids: { next: uuidv7 } };
  const services = {
    users: new UsersService(deps),
    channels: new ChannelsService(deps),
    messages: new MessagesService(deps),
  };
  return {
    deps,
    services,
    buildHttp: (options) => buildApp({ ...options, services }),
  };
}
