import { Purpose } from './purpose.entity';
import { renderConsentText, sha256Hex, templateModel, TemplateInvalidError } from './consent-template';
import { Channel, LegalBasis } from './consent.types';

const purpose = Object.assign(new Purpose(), {
  key: 'newsletter',
  name: 'Newsletter & offers',
  description: null,
  legalBasis: LegalBasis.Consent,
  specialCategoryBasis: null,
  dataCategories: ['contact'],
  subjectCategories: ['customers'],
  recipients: ['Mailer sp. z o.o.', 'Printer S.A.'],
  processors: [],
  transfers: [],
  channels: [Channel.Email],
  minimumAge: 16,
  validityDays: null,
  retention: 'until withdrawal',
});
const model = templateModel(purpose, 'Optyk S.A.');

describe('consent templates', () => {
  it.each([
    ['{{controller.name}} sends {{purpose.name}}', 'Optyk S.A. sends Newsletter &amp; offers'],
    ['{{controllerName}}', 'Optyk S.A.'],
    ['{{#each purpose.recipients}}{{this}};{{/each}}', 'Mailer sp. z o.o.;Printer S.A.;'],
    [
      '{{#each purpose.recipients as |r i|}}{{i}}={{r}} {{../purpose.key}},{{/each}}',
      '0=Mailer sp. z o.o. newsletter,1=Printer S.A. newsletter,',
    ],
    ['{{#if purpose.validityDays}}{{purpose.validityDays}} days{{else}}no limit{{/if}}', 'no limit'],
    ['{{#with purpose}}{{name}} / {{@root.controller.name}}{{/with}}', 'Newsletter &amp; offers / Optyk S.A.'],
    ['{{purpose.recipients.length}} recipients', '2 recipients'],
    ['{{lookup purpose "retention"}}', 'until withdrawal'],
  ])('renders %j', (source, expected) => {
    expect(renderConsentText(source, model)).toBe(expected);
  });

  it.each([
    ['{{purpose.nmae}}', /Unknown variable "purpose.nmae"/],
    ['{{#if purpose.nmae}}x{{/if}}', /Unknown variable/],
    ['{{#each purpose.recipientz}}x{{/each}}', /Unknown variable/],
    ['{{#with purpose}}{{nmae}}{{/with}}', /Unknown variable "nmae"/],
    ['{{subject.email}}', /Unknown variable/],
    ['{{purpose.name.first}}', /Unknown variable/],
    ['{{../purpose}}', /climbs above/],
    ['{{> footer}}', /PartialStatement/],
    ['{{log "x"}}', /Unknown helper "log"/],
    ['{{#custom purpose}}x{{/custom}}', /Only if, unless, each and with/],
    ['{{purpose.name', /Parse error|Expecting/],
  ])('refuses %j', (source, message) => {
    expect(() => renderConsentText(source, model)).toThrow(TemplateInvalidError);
    expect(() => renderConsentText(source, model)).toThrow(message);
  });

  it('hashes the rendered text as hex SHA-256', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
