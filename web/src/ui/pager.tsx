// Previous/next paging over the API's own page URLs (meta.previous_page_url / next_page_url).
import { relativeUrl } from '../api/client.ts';
import type { PageMeta } from '../api/types.ts';

export function Pager({ meta, onPage }: { meta: PageMeta; onPage: (url: string) => void }) {
  // A list that fits on one page needs no paging controls (two disabled buttons are noise).
  if (!meta.previous_page_url && !meta.next_page_url && meta.page === 0) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={!meta.previous_page_url} onClick={() => meta.previous_page_url && onPage(relativeUrl(meta.previous_page_url))}>
        Previous
      </button>
      <span className="muted small">Page {meta.page + 1}</span>
      <button type="button" disabled={!meta.next_page_url} onClick={() => meta.next_page_url && onPage(relativeUrl(meta.next_page_url))}>
        Next
      </button>
    </nav>
  );
}
