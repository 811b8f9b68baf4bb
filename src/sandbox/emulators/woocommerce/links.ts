/**
 * The `Link` header WordPress sends with a page of a collection (WC_REST_CRUD_Controller::get_items): one header,
 * `prev` before `next`, each link the collection URL with every parameter of the request kept and `page`
 * replaced. A page past the end still links back to the last page, as WooCommerce does.
 */
export function collectionLinks(
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
