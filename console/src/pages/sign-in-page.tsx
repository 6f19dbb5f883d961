import { useState } from 'preact/hooks';
import { Api, ApiError, type Credentials } from '../api';
import { described, Field, Notice } from '../parts/field';
import { PageTitle } from '../parts/widgets';
import { signServerToken } from '../session';

/**
 * Sign in with the API key and secret: the page signs a 12-hour server token itself
 * (session.ts), checks it with GET /app, and keeps only the key and the token.
 */
export function SignInPage(props: { notice: string | null; onSignedIn: (credentials: Credentials) => void }) {
  const [key, setKey] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const credentials = { key: key.trim(), token: await signServerToken(secret) };
      await new Api(credentials).get('/app');
      props.onSignedIn(credentials);
    } catch (caught) {
      const refused = caught instanceof ApiError && caught.status === 401;
      setError(refused ? `Herald refused these credentials: ${caught.detail}` : (caught as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <PageTitle title="Sign in" />
      <Notice ok={props.notice} />
      <p>
        Open the link that <code>herald dashboard-link</code> prints (it holds a server token valid for 12 hours),
        or sign in with the app's API key and secret. The secret stays in this browser: it signs a
        12-hour server token here and is not sent nor stored. The token lives in this tab until you sign out.
      </p>
      <form onSubmit={submit} aria-label="Sign in with key and secret">
        <Field field="api_key" label="API key">
          <input {...described('api_key', undefined)} value={key} onInput={(e) => setKey(e.currentTarget.value)} required autocomplete="off" />
        </Field>
        <Field field="api_secret" label="API secret">
          <input {...described('api_secret', undefined)} type="password" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} required autocomplete="off" />
        </Field>
        <Notice error={error} />
        <button type="submit" class="primary" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}
