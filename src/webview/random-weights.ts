// The mark of a result computed from a random-weight model (the offline demo's GPT-2): a banner
// above the panel, and "random weights" on every chart card's title (styles.css), so no chart of
// it is read as a finding about GPT-2.
import { RANDOM_WEIGHTS_NOTE, type Result } from '../protocol/result';

export function markRandomWeights(app: HTMLElement, result: Result): void {
  const mark = result.randomWeights;
  app.classList.toggle('ml-random-weights', !!mark);
  if (!mark) return;
  const banner = document.createElement('div');
  banner.className = 'ml-banner ml-random-weights-banner';
  banner.setAttribute('role', 'note');
  const icon = document.createElement('span');
  icon.className = 'codicon codicon-warning';
  icon.setAttribute('aria-hidden', 'true');
  const body = document.createElement('div');
  body.className = 'ml-banner-body';
  const title = document.createElement('div');
  title.className = 'ml-banner-title';
  title.textContent = RANDOM_WEIGHTS_NOTE.charAt(0).toUpperCase() + RANDOM_WEIGHTS_NOTE.slice(1);
  const text = document.createElement('div');
  text.textContent = `${mark.model} is a GPT-2 with random weights and the real GPT-2 tokenizer, made by the demo so that every job runs offline. ` +
    'The charts show what the job computes and how it draws it; their values say nothing about GPT-2. Run `mechlens demo --pretrained` for the real models.';
  body.append(title, text);
  banner.append(icon, body);
  app.prepend(banner);
}
