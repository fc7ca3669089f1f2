/** Cursor paging: the API only knows "after this cursor", so the way back is a stack of earlier cursors. */
export interface PagerState {
  cursors: (string | undefined)[];
}

export const firstPage: PagerState = { cursors: [undefined] };

export const currentCursor = (pager: PagerState) => pager.cursors[pager.cursors.length - 1];

export function Pager({
  pager,
  nextCursor,
  onChange,
  label,
}: {
  pager: PagerState;
  nextCursor: string | null | undefined;
  onChange: (pager: PagerState) => void;
  label: string;
}) {
  const page = pager.cursors.length;
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={page === 1} onClick={() => onChange({ cursors: pager.cursors.slice(0, -1) })}>
        ← Newer
      </button>
      <span class="muted">Page {page}</span>
      <button
        type="button"
        disabled={!nextCursor}
        onClick={() => nextCursor && onChange({ cursors: [...pager.cursors, nextCursor] })}
      >
        Older →
      </button>
    </nav>
  );
}
