/** The success envelope (REFERENCE §1.1). */
export function ok<T>(result: T, messages: { code: number; message: string; type?: null }[] = []) {
  return { success: true as const, errors: [], messages, result };
}

export interface PageRequest {
  page: number;
  perPage: number;
}

/** A page-numbered list: a page past the end is `result: []`, never an error (REFERENCE §1.5, CLIENTS §1.3). */
export function paged<T>(items: T[], request: PageRequest, totalCount: number) {
  return {
    ...ok(items),
    result_info: {
      page: request.page,
      per_page: request.perPage,
      count: items.length,
      total_count: totalCount,
      total_pages: Math.ceil(totalCount / request.perPage),
    },
  };
}
