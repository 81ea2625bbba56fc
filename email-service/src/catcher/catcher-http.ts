import express, { type Express, type Response } from 'express';
import { summarize } from './caught-message.ts';
import { renderInboxPage, renderMessagePage, renderNotFoundPage } from './inbox-pages.ts';
import type { MessageInbox } from './message-inbox.ts';

/**
 * Pages may show the mail's HTML only in the sandboxed srcdoc iframe: nothing loads from the
 * network, no scripts run (srcdoc documents inherit this policy).
 */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; base-uri 'none'; form-action 'none'";

function sendPage(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set('Content-Security-Policy', PAGE_CSP)
    .set('X-Content-Type-Options', 'nosniff')
    .set('Referrer-Policy', 'no-referrer')
    .type('html')
    .send(html);
}

/** The catcher's HTTP side: a JSON API (Mailpit-like paths) and a plain HTML inbox. */
export function createCatcherApp(inbox: MessageInbox): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/api/messages', (_req, res) => {
    res.json(inbox.list().map(summarize));
  });

  app.get('/api/messages/:id', (req, res) => {
    const message = inbox.get(req.params.id);
    if (!message) {
      res.status(404).json({ msg: 'Message not found' });
      return;
    }
    res.json(message);
  });

  app.delete('/api/messages', (_req, res) => {
    inbox.clear();
    res.status(204).end();
  });

  app.get('/', (_req, res) => {
    sendPage(res, 200, renderInboxPage(inbox.list()));
  });

  app.get('/messages/:id', (req, res) => {
    const message = inbox.get(req.params.id);
    if (!message) sendPage(res, 404, renderNotFoundPage());
    else sendPage(res, 200, renderMessagePage(message));
  });

  app.use('/api', (_req, res) => {
    res.status(404).json({ msg: 'Not found' });
  });

  return app;
}
