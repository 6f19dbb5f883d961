import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, type Credentials } from './api';
import { ApiContext } from './api-context';
import { time } from './format';
import { CampaignForm } from './pages/campaign-form';
import { CampaignPage } from './pages/campaign-page';
import { CampaignsPage } from './pages/campaigns-page';
import { SegmentForm } from './pages/segment-form';
import { SegmentPage } from './pages/segment-page';
import { SegmentsPage } from './pages/segments-page';
import { SignInPage } from './pages/sign-in-page';
import { WebhooksPage } from './pages/webhooks-page';
import { href, useRoute, type Route } from './routes';
import { forgetSession, loadSession, saveSession, takeLinkCredentials, type Session } from './session';

function Page(props: { route: Route }) {
  const { route } = props;
  switch (route.page) {
    case 'campaigns': return <CampaignsPage />;
    // No key: a new draft's first save moves to its edit route without losing what is typed.
    case 'campaign-new': return <CampaignForm />;
    case 'campaign': return <CampaignPage key={route.id} id={route.id} />;
    case 'campaign-edit': return <CampaignForm id={route.id} />;
    case 'segments': return <SegmentsPage />;
    case 'segment-new': return <SegmentForm />;
    case 'segment': return <SegmentPage key={route.id} id={route.id} />;
    case 'webhooks': return <WebhooksPage />;
  }
}

const sections = [
  { label: 'Campaigns', to: href.campaigns(), pages: ['campaigns', 'campaign', 'campaign-new', 'campaign-edit'] },
  { label: 'Segments', to: href.segments(), pages: ['segments', 'segment', 'segment-new'] },
  { label: 'Webhooks', to: href.webhooks(), pages: ['webhooks'] },
];

function Shell(props: { session: Session; route: Route; onSignOut: () => void }) {
  return (
    <>
      <header class="top">
        <a class="brand" href={href.campaigns()}>Herald console</a>
        <nav aria-label="Sections">
          {sections.map((s) => (
            <a href={s.to} aria-current={s.pages.includes(props.route.page) ? 'page' : undefined}>{s.label}</a>
          ))}
        </nav>
        <span class="who">
          key <code>{props.session.key}</code>
          {props.session.expiresAtMs !== null && <> · until {time(new Date(props.session.expiresAtMs).toISOString())}</>}
        </span>
        <button type="button" onClick={props.onSignOut}>Sign out</button>
      </header>
      <main>
        <Page route={props.route} />
      </main>
    </>
  );
}

function Console() {
  const [session, setSession] = useState<Session | null>(() => {
    const fromLink = takeLinkCredentials();
    return fromLink ? saveSession(fromLink) : loadSession();
  });
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();
  const signOut = (why: string | null) => {
    forgetSession();
    setSession(null);
    setNotice(why);
  };
  const api = useMemo(() => (session ? new Api(session, (error) => signOut(`Signed out: ${error.detail}`)) : null), [session]);

  // A token that expires signs the console out then, rather than at the next refused poll.
  useEffect(() => {
    if (session?.expiresAtMs == null) return;
    const timer = setTimeout(() => signOut('Your session expired: sign in again.'), Math.max(0, session.expiresAtMs - Date.now()));
    return () => clearTimeout(timer);
  }, [session]);

  if (!session || !api) {
    const signIn = (credentials: Credentials) => {
      setNotice(null);
      setSession(saveSession(credentials));
    };
    return <SignInPage notice={notice} onSignedIn={signIn} />;
  }
  return (
    <ApiContext.Provider value={api}>
      <Shell session={session} route={route} onSignOut={() => signOut('Signed out.')} />
    </ApiContext.Provider>
  );
}

const root = document.getElementById('app')!;
root.replaceChildren();
render(<Console />, root);
