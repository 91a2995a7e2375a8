import type { Token, Userflare } from '@userflare/client';
import { useRef } from 'react';
import { type ApiState, useApi } from '../../app/use-api';

export const PAGE_SIZES = [20, 50] as const;
const DEFAULT_PAGE_SIZE = 20;
/** The API's largest page (REFERENCE §2.15), so reading every token takes the fewest requests. */
const API_MAX_PAGE_SIZE = 50;

/** The list's place, as the page URL holds it: `?page=2&per_page=50&name=ci`. */
export interface TokenListQuery {
  page: number;
  perPage: number;
  name: string;
}

export function readTokenListQuery(search: URLSearchParams): TokenListQuery {
  const page = Number.parseInt(search.get('page') ?? '', 10);
  const perPage = Number(search.get('per_page'));
  return {
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
    perPage: (PAGE_SIZES as readonly number[]).includes(perPage) ? perPage : DEFAULT_PAGE_SIZE,
    name: search.get('name')?.trim() ?? '',
  };
}

/** The query as URL parameters, leaving out the defaults so a plain `/tokens` stays plain. */
export function tokenListSearch(query: TokenListQuery): URLSearchParams {
  const search = new URLSearchParams();
  if (query.page > 1) search.set('page', String(query.page));
  if (query.perPage !== DEFAULT_PAGE_SIZE) search.set('per_page', String(query.perPage));
  if (query.name) search.set('name', query.name);
  return search;
}

export interface TokenPage {
  tokens: Token[];
  /** Tokens across all pages (matching the search, when there is one). */
  totalCount: number;
  /** With a search: how many tokens were read to find the matches. */
  searched?: number;
}

/**
 * Every token, with expired ones (the API hides them otherwise, REFERENCE §4.7): the first page says
 * how many pages there are, the others are asked for at once — two round trips whatever the count.
 */
async function listAllTokens(client: Userflare): Promise<Token[]> {
  const query = { per_page: API_MAX_PAGE_SIZE, include_expired: true };
  const first = await client.user.tokens.list({ ...query, page: 1 });
  const info = first.result_info;
  const totalPages =
    info?.total_pages ?? Math.ceil((info?.total_count ?? first.result.length) / API_MAX_PAGE_SIZE);
  const rest = await Promise.all(
    Array.from({ length: Math.max(totalPages - 1, 0) }, (_, index) =>
      client.user.tokens.list({ ...query, page: index + 2 }).then((page) => page.result),
    ),
  );
  // A token created between two page reads shifts the others: keep the first copy of each.
  const byId = new Map<string, Token>();
  for (const token of [first.result, ...rest].flat()) if (!byId.has(token.id)) byId.set(token.id, token);
  return [...byId.values()];
}

/**
 * One page of the token list. Without a search it is the API's page. `GET /user/tokens` has no name
 * filter (REFERENCE §2.15), so a search reads every token once, keeps them while the person types,
 * and filters and pages them here; `generation` changing (after an action) or the search being
 * cleared reads them again.
 */
export function useTokenPage(
  client: Userflare,
  query: TokenListQuery,
  generation: number,
): ApiState<TokenPage> {
  const everything = useRef<{ generation: number; tokens: Promise<Token[]> } | undefined>(undefined);
  return useApi(async () => {
    if (!query.name) {
      // The next search reads the tokens afresh: they may have changed since the last one.
      everything.current = undefined;
      const page = await client.user.tokens.list({
        page: query.page,
        per_page: query.perPage,
        include_expired: true,
      });
      return { tokens: page.result, totalCount: page.result_info?.total_count ?? page.result.length };
    }
    if (everything.current?.generation !== generation) {
      const tokens = listAllTokens(client);
      everything.current = { generation, tokens };
      tokens.catch(() => {
        if (everything.current?.tokens === tokens) everything.current = undefined;
      });
    }
    const all = await everything.current.tokens;
    const needle = query.name.toLowerCase();
    const matches = all.filter((token) => token.name.toLowerCase().includes(needle));
    const start = (query.page - 1) * query.perPage;
    return {
      tokens: matches.slice(start, start + query.perPage),
      totalCount: matches.length,
      searched: all.length,
    };
  }, [client, query.page, query.perPage, query.name, generation]);
}
