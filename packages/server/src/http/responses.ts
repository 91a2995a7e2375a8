import type { TSchema } from '@sinclair/typebox';
import { FailureEnvelopeSchema } from '@userflare/contract';

/** A route's responses: its success schema, and the failure envelope for every 4xx and 5xx. */
export function responses<T extends TSchema>(success: T) {
  return { 200: success, '4xx': FailureEnvelopeSchema, '5xx': FailureEnvelopeSchema };
}
