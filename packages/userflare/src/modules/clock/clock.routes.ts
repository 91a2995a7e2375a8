import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ClockChangeSchema, ClockStateSchema, EnvelopeSchema } from '@userflare/contract';
import { ok } from '../../http/envelope.js';
import { responses } from '../../http/responses.js';
import type { ControlledClock } from './controlled-clock.js';

const clockResponses = { response: responses(EnvelopeSchema(ClockStateSchema)) };

/** `/__userflare/clock`: read, move, freeze or reset the server's notion of now. */
export function clockRoutes(clock: ControlledClock): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/clock', { schema: clockResponses }, async () => ok(clock.state()));
    app.put('/clock', { schema: { body: ClockChangeSchema, ...clockResponses } }, async (request) =>
      ok(clock.change(request.body)),
    );
    app.delete('/clock', { schema: clockResponses }, async () => ok(clock.reset()));
  };
}
