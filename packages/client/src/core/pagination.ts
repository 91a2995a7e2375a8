import type { ResultInfo } from '../resources/shared.js';
import type { FinalRequestOptions, Userflare } from './client.js';
import { UserflareError } from './errors.js';

/** A page class the client can build from a response body. */
export type PageConstructor<Page extends AbstractPage<unknown>> = new (
  client: Userflare,
  body: unknown,
  options: FinalRequestOptions,
) => Page;

/** The item type of a page class. */
export type PageItem<Page> = Page extends AbstractPage<infer Item> ? Item : never;

/**
 * One page of a list, holding the request that produced it so the next one can be asked for.
 * Iterating it with `for await` yields every item of this page and of all the pages after it.
 */
export abstract class AbstractPage<Item> implements AsyncIterable<Item> {
  readonly #client: Userflare;
  /** The request that produced this page. */
  protected readonly options: FinalRequestOptions;

  constructor(client: Userflare, options: FinalRequestOptions) {
    this.#client = client;
    this.options = options;
  }

  /** The items of this page alone. */
  abstract getPaginatedItems(): Item[];

  /** The request for the page after this one, or `null` when this is the last. */
  protected abstract nextPageRequestOptions(): FinalRequestOptions | null;

  /**
   * Whether another page may follow this one.
   *
   * @example
   * ```ts
   * let page = await client.user.tokens.list({ per_page: 5 });
   * while (page.hasNextPage()) page = await page.getNextPage();
   * ```
   */
  hasNextPage(): boolean {
    return this.nextPageRequestOptions() !== null;
  }

  /**
   * Fetches the page after this one, with the same query and request options.
   * Throws `UserflareError` when `hasNextPage()` is false.
   *
   * @example
   * ```ts
   * const first = await client.user.tokens.list({ per_page: 5 });
   * const second = await first.getNextPage();
   * ```
   */
  async getNextPage(): Promise<this> {
    const next = this.nextPageRequestOptions();
    if (!next) {
      throw new UserflareError(
        'No next page expected; check `hasNextPage()` before calling `getNextPage()`.',
      );
    }
    return (await this.#client.requestPage(this.constructor as PageConstructor<this>, next)) as this;
  }

  /**
   * Yields this page, then each following page until the last.
   *
   * @example
   * ```ts
   * for await (const page of (await client.user.auditLogs.list({ per_page: 50 })).iterPages()) {
   *   console.log(page.result.length);
   * }
   * ```
   */
  async *iterPages(): AsyncGenerator<this> {
    let page: this = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    for await (const page of this.iterPages()) {
      for (const item of page.getPaginatedItems()) yield item;
    }
  }
}

function resultArrayOf<Item>(body: unknown): Item[] {
  const result = (body as { result?: unknown } | null)?.result;
  return Array.isArray(result) ? (result as Item[]) : [];
}

/**
 * A page of a page-numbered list (`tokens.list`, `auditLogs.list`, `billing.history.list`,
 * `organizations.list`). Like the official SDK it asks for `page + 1` until a page comes back empty;
 * `result_info` is kept for the caller but never trusted to stop (CLIENTS §5).
 *
 * @example
 * ```ts
 * const page = await client.user.tokens.list({ per_page: 5 });
 * console.log(page.result.length, page.result_info?.total_count);
 * for await (const token of client.user.tokens.list()) console.log(token.name);
 * ```
 */
export class V4PagePaginationArray<Item> extends AbstractPage<Item> {
  /** The items of this page (`[]` when the server sent `null`). */
  result: Item[];
  /** The server's `result_info` (`page`, `per_page`, `count`, `total_count`, `total_pages`), if sent. */
  result_info: ResultInfo | undefined;

  constructor(client: Userflare, body: unknown, options: FinalRequestOptions) {
    super(client, options);
    this.result = resultArrayOf<Item>(body);
    this.result_info = (body as { result_info?: ResultInfo } | null)?.result_info;
  }

  getPaginatedItems(): Item[] {
    return this.result;
  }

  // A next page exists while the current one is non-empty: the server answers a page past the end with `[]`.
  protected nextPageRequestOptions(): FinalRequestOptions | null {
    if (this.result.length === 0) return null;
    const query = this.options.query ?? {};
    const current = Number(query.page ?? 1);
    return { ...this.options, query: { ...query, page: current + 1 } };
  }
}

/**
 * The whole list in one response (`invites.list`, `subscriptions.get`, `tokens.permissionGroups.list`):
 * never a second request, whatever `result_info` claims (CLIENTS §5).
 *
 * @example
 * ```ts
 * const invites = await client.user.invites.list();
 * console.log(invites.result.map((invite) => invite.organization_name));
 * ```
 */
export class SinglePage<Item> extends AbstractPage<Item> {
  /** Every item of the list. */
  result: Item[];

  constructor(client: Userflare, body: unknown, options: FinalRequestOptions) {
    super(client, options);
    this.result = resultArrayOf<Item>(body);
  }

  getPaginatedItems(): Item[] {
    return this.result;
  }

  protected nextPageRequestOptions(): null {
    return null;
  }
}

/**
 * What a list method returns: await it for the first page, or iterate it with `for await` for every
 * item of every page. The request starts at once, like any promise.
 *
 * @example
 * ```ts
 * const page = await client.user.tokens.list();
 * for await (const token of client.user.tokens.list()) console.log(token.id);
 * ```
 */
export class PagePromise<Page extends AbstractPage<unknown>, Item = PageItem<Page>>
  implements PromiseLike<Page>, AsyncIterable<Item>
{
  readonly #page: Promise<Page>;

  constructor(page: Promise<Page>) {
    this.#page = page;
  }

  // biome-ignore lint/suspicious/noThenProperty: a page promise is a thenable on purpose, so `await` works.
  then<TResult1 = Page, TResult2 = never>(
    onfulfilled?: ((value: Page) => TResult1 | PromiseLike<TResult1>) | null,
    onrejected?: ((reason: unknown) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return this.#page.then(onfulfilled, onrejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<TResult = never>(
    onrejected?: ((reason: unknown) => TResult | PromiseLike<TResult>) | null,
  ): Promise<Page | TResult> {
    return this.#page.catch(onrejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<Page> {
    return this.#page.finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return 'PagePromise';
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    const page = await this.#page;
    for await (const item of page) yield item as Item;
  }
}
