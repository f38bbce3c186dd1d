import { addMessages, defineStrings, messageOr, PageLang } from '../rendering';
import { Channel } from './consent.types';

/** The channels in words, the one catalogue's namespace `channel`: the console, the portal and the access report. */
export const CHANNEL_STRINGS = defineStrings({
  pl: {
    email: 'e-mail',
    sms: 'SMS',
    phone: 'telefon',
    auto_call: 'automatyczne połączenia',
    push: 'powiadomienia w aplikacji',
    post: 'poczta tradycyjna',
  },
  en: {
    email: 'e-mail',
    sms: 'text message (SMS)',
    phone: 'phone',
    auto_call: 'automated calls',
    push: 'app notifications',
    post: 'post',
  },
} satisfies { pl: Record<Channel, string>; en: Record<Channel, string> });
addMessages('channel', CHANNEL_STRINGS);

/** A channel in words; a code no release offers any more is shown as recorded. */
export function channelLabel(channel: string, lang: PageLang): string {
  return messageOr(lang, `channel.${channel}`, channel);
}
