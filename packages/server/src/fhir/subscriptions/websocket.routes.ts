import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { actorKey, type Actor } from '../../access/actor.ts';
import { actorOf } from '../../auth/authenticate.ts';
import { requireScope } from '../../auth/scopes.ts';
import type { Database } from '../../db/database.ts';
import type { CallerAccess } from '../store/hooks.ts';
import type { ResourceService } from '../store/resource.service.ts';
import { forbidden } from '../outcome.ts';
import { WebsocketHub, type Listen } from './websocket.ts';
import { WEBSOCKET_PATH } from './websocket-url.ts';

export interface WebsocketOptions {
  db: Database;
  /** Unrestricted; each connection binds it to its caller with `accessFor`. */
  resources: ResourceService;
  /** The platform's whole access for a caller (Platform.accessFor), Subscription owner rule included. */
  accessFor(actor: Actor): CallerAccess;
  listen: Listen;
}

/**
 * The websocket channel's endpoint (websocket.ts). The upgrade is refused with the REST API's 401 or
 * 403 OperationOutcome when the token is missing, invalid, belongs to an account linked to no one,
 * or does not allow reading Subscriptions; an accepted connection is closed when its token expires.
 */
export async function registerSubscriptionWebsocket(
  app: FastifyInstance,
  platform: WebsocketOptions,
): Promise<WebsocketHub> {
  // Once per app, whoever needs websockets first (it listens to the server's 'upgrade' events).
  if (!app.hasDecorator('websocketServer')) {
    await app.register(websocket);
  }
  // An upgrade refused before the plugin's own hooks ran (the 401 of the authentication hook) is
  // answered on a socket Node's HTTP server has already let go of: close it, or it stays open.
  app.addHook('onResponse', (request, _reply, done) => {
    if (String(request.headers.upgrade ?? '').toLowerCase() === 'websocket') {
      const socket = request.raw.socket;
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    }
    done();
  });
  const hub = new WebsocketHub(platform.db, platform.listen);
  app.addHook('onReady', (done) => {
    hub.start(app.log);
    done();
  });
  app.addHook('onClose', () => hub.stop());
  app.get(WEBSOCKET_PATH, { websocket: true, preHandler: requireSubscriptionRead }, (socket, request) => {
    const actor = actorOf(request);
    closeWhenTokenExpires(socket, request);
    hub.accept({
      socket,
      record: platform.resources.forCaller(platform.accessFor(actor)),
      ownerKey: actorKey(actor),
    });
  });
  return hub;
}

function requireSubscriptionRead(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  if (!request.actor) {
    return done(forbidden('Your account is not linked to a person in the record'));
  }
  try {
    requireScope(request.actor, 'Subscription', 'r');
  } catch (error) {
    return done(error as Error);
  }
  done();
}

function closeWhenTokenExpires(socket: WebSocket, request: FastifyRequest): void {
  const exp = request.token?.claims.exp;
  const ms = typeof exp === 'number' ? exp * 1000 - Date.now() : 0;
  const timer = setTimeout(() => socket.close(1008, 'access token expired'), Math.max(ms, 0));
  timer.unref();
  socket.on('close', () => clearTimeout(timer));
}
