import type { ErrorItemSchema, MessageItemSchema, ResultInfoSchema, Static } from '@userflare/contract';

// Types only: `import type` keeps the contract (and TypeBox) out of the SDK's runtime.

/** A Cloudflare error item, `{code, message, documentation_url?, source?, error_chain?}`. */
export type ErrorItem = Static<typeof ErrorItemSchema>;

/** A Cloudflare message item. */
export type MessageItem = Static<typeof MessageItemSchema>;

/** `result_info` of a page-numbered list. */
export type ResultInfo = Static<typeof ResultInfoSchema>;
