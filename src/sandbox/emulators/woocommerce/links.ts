/** A page of a collection's headers: X-WP-Total, X-WP-TotalPages and, when there is another page, Link. */
export function collectionHeaders(
  collectionUrl: string,
  params: URLSearchParams,
  page: { current: number; perPage: number; total: number },
): Record<string, string> {
  const totalPages = Math.ceil(page.total / page.perPage);
  const link = collectionLinks(collectionUrl, params, page.current, totalPages);
  return {
    'X-WP-Total': String(page.total),
    'X-WP-TotalPages': String(totalPages),
    ...(link ? { Link: link } : {}),
  };
}

/**
 * The `Link` header WordPress sends with a page of a collection (WC_REST_CRUD_Controller::get_items): one header,
 * `prev` before `next`, each link the collection URL with every parameter of the request kept and `page`
 * replaced. A page past the end still links back to the last page, as WooCommerce does.
 */
function collectionLinks(
  collectionUrl: string,
  params: URLSearchParams,
  page: number,
  totalPages: number,
): string | undefined {
  const link = (target: number, rel: 'prev' | 'next') => {
    const url = new URL(collectionUrl);
    for (const [name, value] of params) url.searchParams.append(name, value);
    url.searchParams.set('page', String(target));
    return `<${url}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, totalPages), 'prev'));
  if (totalPages > page) links.push(link(page + 1, 'next'));
  return links.length > 0 ? links.join(', ') : undefined;
}
