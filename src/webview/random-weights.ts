// The mark of a result computed from a random-weight model (the offline demo's GPT-2): a banner
// above the panel, and "random weights" on every chart card's title (styles.css), so no chart of
// it is read as a finding about GPT-2.
import { RANDOM_WEIGHTS_NOTE, type Result } from '../protocol/result';
import { textBanner } from './charts/banner';

export function markRandomWeights(app: HTMLElement, result: Result): void {
  const mark = result.randomWeights;
  app.classList.toggle('ml-random-weights', !!mark);
  if (!mark) return;
  const banner = textBanner({
    className: 'ml-random-weights-banner',
    icon: 'warning',
    role: 'note',
    title: RANDOM_WEIGHTS_NOTE.charAt(0).toUpperCase() + RANDOM_WEIGHTS_NOTE.slice(1),
    lines: [`${mark.model} is a GPT-2 with random weights and the real GPT-2 tokenizer, made by the demo so that every job runs offline. ` +
      'The charts show what the job computes and how it draws it; their values say nothing about GPT-2. Run `mechlens demo --pretrained` for the real models.'],
  });
  app.prepend(banner);
}
