import type { Userflare } from '@userflare/client';
import { type AuditFilters, listParams } from './audit-filters';

/** The name the server gives the export in its `content-disposition` (audit-logs.routes.ts). */
export const CSV_FILENAME = 'audit_logs.csv';

/**
 * `export=true` with the page's filters, saved as a file. Fetched through the SDK rather than a plain
 * `<a download>` so that a refused filter shows Cloudflare's error instead of saving it as the file.
 * The export holds every matching entry, so no page or page size is sent.
 */
export async function downloadAuditCsv(client: Userflare, filters: AuditFilters): Promise<void> {
  const { page: _page, per_page: _perPage, ...query } = listParams(filters, 1);
  const csv = await client.request<string>({
    method: 'get',
    path: '/user/audit_logs',
    query: { ...query, export: true },
    headers: { accept: 'text/csv' },
  });
  const url = URL.createObjectURL(new Blob([csv ?? ''], { type: 'text/csv' }));
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = CSV_FILENAME;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The click has handed the Blob to the download by now; a later tick frees it.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
