// Tells the browser tracker that the edge scores this site (docs/edge.md, "The tracker on an
// edge-scored site"): HTML pages get `<meta name="leadpulse" content="edge">`, and the tracker
// on them sends no summaries (the edge hands off, signed) and lets forms post to the edge.
// Runtimes without HTMLRewriter (Deno) pass pages unmarked: there the site says so itself
// (`data-edge` on the tracker's tag, or `start({ edge: true })`).

const MARK = '<meta name="leadpulse" content="edge">';

/** The response, with the mark in its `<head>` if it is an HTML page. Never throws. */
export function markEdgeScored(response) {
  try {
    if (typeof HTMLRewriter === 'undefined' || !response) return response;
    if (!(response.headers.get('content-type') ?? '').includes('text/html')) return response;
    return new HTMLRewriter().on('head', {
      element(head) {
        head.prepend(MARK, { html: true });
      },
    }).transform(response);
  } catch {
    return response;
  }
}
