import { useEffect, useState } from 'preact/hooks';

/** The console's pages, each at a hash route so that every page has a URL of its own. */
export type Route =
  | { page: 'campaigns' }
  | { page: 'campaign-new' }
  | { page: 'campaign'; id: string }
  | { page: 'campaign-edit'; id: string }
  | { page: 'segments' }
  | { page: 'segment-new' }
  | { page: 'segment'; id: string }
  | { page: 'webhooks' };

export const href = {
  campaigns: () => '#/campaigns',
  newCampaign: () => '#/campaigns/new',
  campaign: (id: string) => `#/campaigns/${encodeURIComponent(id)}`,
  editCampaign: (id: string) => `#/campaigns/${encodeURIComponent(id)}/edit`,
  segments: () => '#/segments',
  newSegment: () => '#/segments/new',
  segment: (id: string) => `#/segments/${encodeURIComponent(id)}`,
  webhooks: () => '#/webhooks',
};

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map((p) => decodeURIComponent(p));
  const [section, id, action] = parts;
  if (section === 'campaigns' && id === 'new') return { page: 'campaign-new' };
  if (section === 'campaigns' && id && action === 'edit') return { page: 'campaign-edit', id };
  if (section === 'campaigns' && id) return { page: 'campaign', id };
  if (section === 'segments' && id === 'new') return { page: 'segment-new' };
  if (section === 'segments' && id) return { page: 'segment', id };
  if (section === 'segments') return { page: 'segments' };
  if (section === 'webhooks') return { page: 'webhooks' };
  return { page: 'campaigns' };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Goes to a page; `replace` keeps the history clean (a new draft becoming its edit page). */
export function navigate(to: string, replace = false): void {
  if (replace) {
    history.replaceState(null, '', to);
    dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = to;
  }
}
