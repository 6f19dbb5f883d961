// Tests send arbitrary custom fields through stream-chat; its types are opened the way the
// SDK documents (declaration merging of its Custom*Data interfaces).
import 'stream-chat';

declare module 'stream-chat' {
  interface CustomUserData {
    [key: string]: any;
  }
  interface CustomChannelData {
    [key: string]: any;
  }
  interface CustomMessageData {
    [key: string]: any;
  }
  interface CustomReactionData {
    [key: string]: any;
  }
}
