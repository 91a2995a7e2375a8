import type { Userflare } from './client.js';

/** The base of every resource: holds the client its methods send requests through. */
export abstract class APIResource {
  protected readonly _client: Userflare;

  constructor(client: Userflare) {
    this._client = client;
  }
}
