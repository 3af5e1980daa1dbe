/*
 * generic_pattern.c: the text patterns of the boilerplate filters, one
 * table, compiled once by init() and matched against one block's text at a
 * time.  Every pattern is anchored to a short block's start or end and has a
 * word limit, so that a sentence of the article that merely mentions
 * cookies or a newsletter is never taken for the notice itself.  Which
 * blocks are looked at, and in which order, is generic_filter.c's business.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generic.h"

/* Photo and news agencies, as credits and bylines name them. */
#define GENERIC_AGENCY                                                         \
    "(?:AFP|AP|Reuters|EPA(?:-EFE)?|EFE|ANSA|dpa|Getty(?: Images)?|"           \
    "Shutterstock|Alamy|Bloomberg|Anadolu(?: Agency)?|Xinhua|Sipa(?: USA)?|"   \
    "ZUMA(?: Wire| Press)?|PA(?: Images| Wire| Media)?|AAP|Kyodo|Yonhap|"      \
    "TASS|Sputnik|UPI|IANS|PTI|ANI|Bernama|NurPhoto|LightRocket|SOPA Images|"  \
    "WireImage|FilmMagic|Pool|Handout|iStock(?:photo)?|Unsplash|Pixabay|"      \
    "Wikimedia(?: Commons)?|Flickr|Associated Press|Agence France-Presse|"     \
    "Press Association|Europa Press|Corbis|Rex(?: Features)?|"                 \
    "News Agencies|Agencies)"

/* The same, upper case, as wire credits write them ("EPA PHOTO / POOL"). */
#define GENERIC_CREDIT_WORD                                                    \
    "(?:PHOTO|PHOTOS|FOTO|FILE|HO|HANDOUT|POOL|AFP|AP|REUTERS|EPA|EFE|ANSA|"   \
    "DPA|GETTY|XINHUA|ANADOLU|SIPA|ZUMA|UPI|TASS|SPUTNIK)"

#define GENERIC_WEEKDAY                                                        \
    "(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\\.?"
#define GENERIC_MONTH                                                          \
    "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"     \
    "aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|"              \
    "dec(?:ember)?)\\.?"
#define GENERIC_DAY "\\d{1,2}(?:st|nd|rd|th)?"
#define GENERIC_DATE                                                           \
    "(?:(?:" GENERIC_WEEKDAY ",?\\s+)?(?:" GENERIC_DAY                         \
    "\\s+(?:of\\s+)?" GENERIC_MONTH ",?(?:\\s+\\d{4})?|" GENERIC_MONTH         \
    "\\s+" GENERIC_DAY "(?:,?\\s+\\d{4})?|\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|"   \
    "\\d{1,2}[-/.]\\d{1,2}[-/.]\\d{2,4}))"
#define GENERIC_TIME                                                           \
    "(?:\\d{1,2}(?:[:.h]\\d{2}(?::\\d{2})?\\s*(?:[ap]\\.?\\s?m\\.?)?|"         \
    "\\s*[ap]\\.?\\s?m\\.?)(?:\\s*\\(?(?:[a-z]{1,4}t|gmt|utc|z)"               \
    "(?:\\s*[+-]\\s*\\d{1,2}(?::?\\d{2})?)?\\)?)?)"
#define GENERIC_DATE_LABEL                                                     \
    "(?:(?:published|updated|posted|last\\s+updated|first\\s+published|"       \
    "modified|created|uploaded|date)(?:\\s+(?:on|at))?\\s*:?\\s*)"

/* A line that is only a date, a time, or both, with the usual labels
 * (and the site's domain, as some wire and syndication lines start). */
static const char generic_date_pattern[] =
    "^(?:[\\w-]+(?:\\.[\\w-]+)*\\.[a-z]{2,6},?\\s+)?" GENERIC_DATE_LABEL
    "?(?:" GENERIC_DATE "(?:\\s*(?:,|at|@|-|–|\\|)?\\s*" GENERIC_TIME
    ")?|" GENERIC_TIME "(?:\\s*(?:,|on|-|–|\\|)?\\s*" GENERIC_DATE ")?)"
    "(?:\\s*(?:\\||·|•|-|–|—|,)?\\s*(?:(?:last\\s+)?updated|modified)"
    "(?:\\s+(?:on|at))?\\s*:?\\s*(?:" GENERIC_DATE
    ")?(?:\\s*(?:,|at)?\\s*" GENERIC_TIME ")?)?\\s*$";

/* The signature line of a post or a comment: who, and when. */
static const char generic_sig_cue_pattern[] =
    "(?:^(?:posted|written|submitted|comment(?:ed)?|added|by)\\b"
    "|\\b(?:says|said|wrote|writes)\\b:?)";
static const char generic_sig_when_pattern[] =
    "\\b(?:" GENERIC_MONTH
    "\\s+\\d{1,2}|\\d{1,2}(?:st|nd|rd|th)?\\s+" GENERIC_MONTH
    "|\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|"
    "\\d{1,2}/\\d{1,2}/\\d{2,4}|\\d{1,2}:\\d{2}|\\d+\\s+(?:minutes?|hours?|"
    "days?|weeks?|months?|years?)\\s+ago)\\b";

/* Pattern flags. */
#define GENERIC_P_TAIL    0x1u /* only after the article's last long paragraph */
#define GENERIC_P_SECTION 0x2u /* a heading: what it introduces goes too */
#define GENERIC_P_HEADED  0x4u /* ... only when it is a heading element */
#define GENERIC_P_PROSE   0x8u /* not in table cells or list items */

struct generic_pattern_def {
    int filter;
    unsigned max_words;
    unsigned flags;
    const char *re;
};

#define F(name) GENERIC_F_##name

/*
 * The table.  Case-insensitive, Unicode-aware; (?-i:...) marks the parts
 * where case carries the meaning (names, wire credits in capitals).  Order
 * matters only when two filters could claim one block: the first wins.
 */
static const struct generic_pattern_def generic_pattern_defs[] = {
    /* consent and cookie notices */
    { F(CONSENT), 80, 0,
      "\\b(?:we|this (?:web ?)?site|our (?:web ?)?site|our partners)\\b"
      ".{0,40}\\buses? cookies\\b" },
    { F(CONSENT), 30, 0,
      "\\bcookies? (?:policy|settings|preferences|consent|notice)\\b" },
    { F(CONSENT), 40, 0,
      "\\b(?:accept|allow|reject|decline)(?: all)? cookies\\b" },
    { F(CONSENT), 60, 0,
      "\\bby (?:continuing|using|browsing|clicking)\\b.{0,100}"
      "\\b(?:you (?:agree|accept|consent)|cookies)\\b" },
    { F(CONSENT), 20, 0,
      "\\bmanage (?:your )?(?:cookie |privacy |consent )?"
      "(?:preferences|settings|choices|options)\\b" },

    /* app-store banners */
    { F(APP_BANNERS), 25, 0,
      "(?:free|download|get|install|open|view|available)\\s*(?:it\\s+)?"
      "(?:now\\s+)?[-–—:]?\\s*(?:in|on|from|at)\\s+(?:the\\s+)?"
      "(?:google play|app store|play store|apple app store|appgallery|"
      "microsoft store)\\b" },
    { F(APP_BANNERS), 15, 0,
      "^(?:get|download|install|try) (?:the|our) (?:free |new |\\S+ ){0,2}apps?\\b" },
    { F(APP_BANNERS), 6, 0, "^(?:app store|google play)$" },

    /* newsletter and subscription prompts */
    { F(NEWSLETTERS), 25, 0,
      "\\b(?:sign(?:ing)?[ -]?up|subscribe|register|join|get|receive|enter)\\b"
      ".{0,60}\\bnewsletters?\\b" },
    { F(NEWSLETTERS), 5, 0, "^(?:\\S+\\s+){0,4}newsletters?[.!:]?$" },
    { F(NEWSLETTERS), 30, 0,
      "\\b(?:sent|delivered|straight|directly|direct|right)\\b.{0,20}"
      "\\b(?:to|in|into) your (?:inbox|e-?mail|mailbox)\\b" },
    { F(NEWSLETTERS), 20, 0, "\\bin your inbox\\b" },
    { F(NEWSLETTERS), 20, 0,
      "\\bnever (?:share|sell|rent|spam|give)\\b.{0,40}"
      "\\b(?:e-?mail|address|information|details|data)\\b" },
    { F(NEWSLETTERS), 8, 0, "^\\((?:optional|required)\\b[^()]{0,60}\\)$" },
    { F(NEWSLETTERS), 3, 0, "^(?:your )?e-?mail(?: address)?\\s*[:*]?$" },
    { F(NEWSLETTERS), 40, 0, "\\bunsubscribe (?:at any time|anytime)\\b" },
    { F(NEWSLETTERS), 50, 0,
      "\\bby (?:signing up|subscribing|registering)\\b.{0,100}"
      "\\b(?:agree|accept|consent)" },
    { F(NEWSLETTERS), 4, 0,
      "^subscribe(?: now| today| here| for free)?[.!]?$" },
    { F(NEWSLETTERS), 8, 0, "^subscribe to\\s*:" },
    { F(NEWSLETTERS), 20, 0,
      "^(?:thanks?|thank you) for (?:signing up|subscribing|registering)\\b" },
    { F(NEWSLETTERS), 15, 0,
      "^(?:subscribe|sign up|register) (?:to|for) (?:our|the)\\b" },
    /* paywall and subscription prompts */
    { F(NEWSLETTERS), 8, 0,
      "^(?:click|tap) here to (?:subscribe|sign up|register)\\b" },
    { F(NEWSLETTERS), 15, 0,
      "^(?:subscribe|sign up|register|join)\\b.{0,60}\\b(?:unlimited|full|"
      "digital|premium|uninterrupted|exclusive) (?:access|content|coverage)\\b" },
    { F(NEWSLETTERS), 10, 0,
      "\\b(?:already a subscriber|(?:for|exclusive to) (?:our )?subscribers"
      "(?: only)?|subscribers only)\\b" },

    /* share bars and follow-us lines */
    { F(SHARE), 6, 0,
      "^(?:listen to (?:this|the) (?:article|story|podcast)|print (?:this )?"
      "(?:article|page|story)|save (?:this )?(?:article|story)(?: for later)?|"
      "copy (?:the )?link|e-?mail (?:this )?(?:article|story)|gift (?:this )?"
      "article)[.!]?$" },
    { F(SHARE), 15, 0,
      "^(?=.*\\b(?:share|shares|tweet|facebook|twitter|linkedin|pinterest|"
      "whatsapp|reddit|telegram|e-?mail|print)\\b)"
      "(?:(?:share(?: this)?(?: (?:article|story|post|page|on|via))?|shares|"
      "sharing|tweet(?: this)?|e-?mail|mail|print|copy(?: link)?|link|save|"
      "bookmark|facebook|twitter|x|linkedin|pinterest|reddit|whatsapp|"
      "telegram|messenger|flipboard|tumblr|google\\+?|pocket|sms|comments?|"
      "more|\\d+[km]?)[\\s|,·•/:+-]*)+$" },
    { F(SHARE), 15, 0, "^click to (?:share|email|print|tweet)\\b" },
    { F(SHARE), 20, 0,
      "^(?:follow|like|find) (?:us|me|\\S+(?: \\S+){0,3}) on "
      "(?:\\S+ on )?(?:facebook|twitter|"
      "instagram|linkedin|youtube|tiktok|threads|google\\+|x|social media)\\b" },
    { F(SHARE), 8, 0, "^share (?:this|on|via|your)\\b" },
    { F(SHARE), 8, 0,
      "^(?:do|did) you (?:like|enjoy|love) this (?:story|article|post|page)\\??$" },
    /* counters: "1,204 views", "Read 3 times", a number alone */
    { F(SHARE), 4, GENERIC_P_PROSE,
      "^(?:read |viewed )?[\\d.,]+[km]?\\s*(?:times|views|reads|shares|likes|"
      "recs?)?$" },

    /* comment sections and prompts */
    { F(COMMENTS), 20, GENERIC_P_SECTION,
      "^(?:\\d+|one|two|three|four|five|six|seven|eight|nine|ten|no)\\s+"
      "(?:responses?|comments?|replies|thoughts?|reactions?)\\s+"
      "(?:to|on|for|so far)\\b" },
    { F(COMMENTS), 4, GENERIC_P_SECTION,
      "^(?:readers?['’]?|your|user|visitor)s?\\s+(?:comments?|reactions?|"
      "responses?)[:.]?$" },
    { F(COMMENTS), 5, GENERIC_P_SECTION | GENERIC_P_HEADED,
      "^(?:\\d+\\s+)?(?:comments|responses|replies|trackbacks?|pingbacks?)"
      "(?:\\s+(?:and|&)\\s+(?:trackbacks?|pingbacks?))?\\s*(?:\\(\\d+\\))?"
      "[:.]?$" },
    { F(COMMENTS), 4, 0,
      "^(?:(?:\\d+|no)\\s+comments?(?:\\s+yet)?|comments|(?:add|view|show|hide|load|"
      "read|post)\\s+(?:a\\s+|all\\s+)?comments?)\\s*(?:\\(\\d+\\))?[:.]?$" },
    { F(COMMENTS), 8, 0,
      "^(?:leave|post|add|write|submit|view|show|read|see|load|hide|join)\\b"
      ".{0,30}\\bcomments?\\b" },
    { F(COMMENTS), 10, 0, "^leave a (?:reply|comment|response)\\b" },
    { F(COMMENTS), 3, 0, "^(?:comment|reply) (?:now|here)\\s*[!.]?$" },
    { F(COMMENTS), 35, 0,
      "\\b(?:community|comment|commenting|comments|discussion) "
      "(?:guidelines|policy|rules|standards)\\b" },
    { F(COMMENTS), 35, 0,
      "\\bbefore (?:posting|commenting|you comment|you post)\\b" },
    { F(COMMENTS), 8, 0,
      "^join (?:the|our)\\b.{0,40}\\b(?:community|conversation|discussion|debate)$" },
    { F(COMMENTS), 20, 0,
      "\\b(?:be the first to comment|must be logged in to (?:post|leave) a "
      "comment|log ?in to (?:comment|reply)|sign in to comment|comments? "
      "(?:are|is|have been) closed|comments? powered by)\\b" },
    { F(COMMENTS), 2, 0, "^(?:\\d+ )?repl(?:y|ies)$" },

    /* captions and photo credits */
    { F(CAPTIONS), 120, 0,
      "\\(\\s*(?:(?:photo|image|picture|file|credit|foto)s?(?: by)?\\s*:?\\s*)?"
      "(?-i:[\\p{Lu}\\d])[^()]{0,60}?\\s*/\\s*(?-i:\\p{Lu})[^()]{0,50}\\)\\s*$" },
    { F(CAPTIONS), 120, 0,
      "\\(\\s*(?:photo|photos|image|picture|file photo|photograph|credit|foto|"
      "courtesy)\\b[^()]{0,80}\\)\\s*$" },
    { F(CAPTIONS), 120, 0,
      "\\(\\s*(?:photo:\\s*)?" GENERIC_AGENCY
      "(?:\\s*(?:photo|file|images))?\\s*\\)\\s*$" },
    { F(CAPTIONS), 120, 0,
      "\\[\\s*(?:(?:file|photo|image|picture|screengrab|screenshot|handout)s?"
      "\\s*:?\\s*)?[^\\[\\]]{1,80}/[^\\[\\]]{1,60}\\]\\s*$" },
    { F(CAPTIONS), 120, 0,
      "\\[\\s*(?:file|photo|image|handout|screengrab|screenshot|courtesy)\\b"
      "[^\\[\\]]{0,80}\\]\\s*$" },
    { F(CAPTIONS), 120, 0, "\\[\\s*" GENERIC_AGENCY "\\s*\\]\\s*$" },
    { F(CAPTIONS), 120, 0,
      "^(?-i)(?=[\\p{Lu}\\d .&'’/-]{0,80}?\\b" GENERIC_CREDIT_WORD "\\b)"
      "(?=[\\p{Lu}\\d .&'’-]{0,80}?/)"
      "[\\p{Lu}\\d][\\p{Lu}\\d.&'’-]*(?:\\s*/\\s*|\\s)(?:[\\p{Lu}\\d]"
      "[\\p{Lu}\\d.&'’-]*(?:\\s*/\\s*|\\s))*[-–—]\\s+\\S" },
    { F(CAPTIONS), 40, 0,
      "^(?:photo|photograph|image|picture|foto|credit|photo credit|"
      "image credit|caption|pictured|illustration)s?\\s*(?:by)?\\s*:\\s*\\S" },
    { F(CAPTIONS), 20, 0,
      "^(?:photo|image|picture|illustration)s? (?:by|courtesy(?: of)?|credit|via)\\s+\\S" },
    { F(CAPTIONS), 60, 0, "^(?:image|media) (?:source|caption|copyright)\\b" },
    { F(CAPTIONS), 5, 0, "^" GENERIC_AGENCY "(?:\\s*/\\s*\\S+){0,3}$" },
    /* a one-word source and an agency: "Nasa / Reuters" (a person's
     * name and an agency is a byline, below) */
    { F(CAPTIONS), 4, 0,
      "^(?-i:\\p{Lu})[\\p{L}.'’-]*\\s*/\\s*" GENERIC_AGENCY
      "(?:\\s*/\\s*\\S+)?$" },
    { F(CAPTIONS), 10, 0,
      "^(?-i)[\\p{L}\\d]+(?:-[\\p{L}\\d]+)*_[\\p{L}\\d][^.!?:;\"“”]*$" },
    { F(CAPTIONS), 1, 0, "^\\S+\\.(?:jpe?g|png|gif|webp|avif|tiff?|bmp)$" },
    /* a media label alone: what sat on a player or a gallery */
    { F(CAPTIONS), 2, 0,
      "^(?:video|videos|photos?|gallery|audio|slideshow|interactive|"
      "graphic|watch|play video|loading photos?)[.:!]*$" },
    { F(CAPTIONS), 3, 0, "^(?:img|dsc|dscn|dji|pxl)[_-]?\\d{3,}" },

    /* bylines and author bios */
    { F(BYLINES), 14, 0,
      "^(?:by|written by|posted by|words by|story by|text by|report by)"
      "\\s*:?\\s+(?!(?:" GENERIC_WEEKDAY "|" GENERIC_MONTH
      "|the|then|now|contrast|comparison|law|far|default|way)\\b)"
      "(?-i:\\p{Lu})(?!.*[.!?][\"”’]?$)" },
    { F(BYLINES), 8, 0,
      "^(?-i:\\p{Lu}[\\p{L}'’.-]*(?:\\s+\\p{Lu}[\\p{L}'’.-]*){1,4})\\s*"
      "(?:/|,|\\||-|–|—|with)\\s*" GENERIC_AGENCY "$" },
    { F(BYLINES), 15, 0,
      "^(?:author|authors|reporter|correspondent|columnist|contributor|"
      "editor)s?\\s*:\\s*\\S" },
    { F(BYLINES), 45, 0,
      "^\\((?:additional )?(?:reporting|writing|editing|compiled|produced|"
      "research|translated|translation)(?: by)?\\s*:?\\s+[^()]{2,250}\\)$" },
    { F(BYLINES), 45, 0,
      "^(?:additional )?(?:reporting|writing|editing)(?: by)?\\s*:?\\s+"
      "(?-i:\\p{Lu})[^;]{0,80};(?!.*[.!?]$)" },
    { F(BYLINES), 6, 0, "^about the (?:author|writer|reporter)s?\\b" },
    { F(BYLINES), 60, GENERIC_P_TAIL,
      "^(?-i:\\p{Lu})[\\p{L}.'’ -]{2,40} (?:is|was) (?:an? |the )(?:\\S+ ){0,4}"
      "(?:reporter|writer|journalist|correspondent|editor|columnist|"
      "contributor|author|freelancer|blogger|producer)\\b" },
    { F(BYLINES), 20, GENERIC_P_TAIL,
      "^(?:follow|contact|email|reach) (?:him|her|them|the author|me|"
      "(?-i:\\p{Lu})\\S*) (?:on|at|via)\\b" },
    /* The profile blurb of a pen name: three or more fragments of one to
     * three words each ("Coffee lover. Music nerd. Web expert."). */
    { F(BYLINES), 24, GENERIC_P_TAIL,
      "^[\"“]?(?:[^\\s.!?]+(?:\\s+[^\\s.!?]+){0,2}[.!?]\\s*){3,}[\"”]?$" },

    /* tag lists */
    { F(TAGS), 3, GENERIC_P_SECTION,
      "^(?:tags?|tagged(?: with| in| as)?|topics?|keywords?|filed (?:under|in)|"
      "labels?|categor(?:y|ies)|related (?:topics|tags|subjects|terms))"
      "\\s*:$" },
    { F(TAGS), 40, 0,
      "^(?:tags?|tagged(?: with| in| as)?|topics?|keywords?|filed (?:under|in)|"
      "labels?|categor(?:y|ies)|related (?:topics|tags|subjects|terms))"
      "\\s*:\\s*\\S" },

    /* datelines and reading times */
    { F(DATELINES), 20, 0, generic_date_pattern },
    { F(DATELINES), 8, 0,
      "^(?:(?:published|updated|posted)\\s*:?\\s*)?(?:\\d+|an?|one)\\s+"
      "(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\\s+ago$" },
    { F(DATELINES), 6, 0,
      "^(?:\\d+\\s*(?:-\\s*)?(?:minutes?|mins?)\\.?\\s+read|reading time:?\\s*"
      "\\d+\\s*(?:minutes?|mins?)\\.?)$" },

    /* copyright, trademark and imprint lines */
    { F(COPYRIGHT), 40, 0, "^(?:©|\\(c\\)\\s|copyright\\b)" },
    { F(COPYRIGHT), 40, 0, "\\ball rights reserved\\b" },
    { F(COPYRIGHT), 80, 0,
      "\\b(?:is|are) (?:a |the )?(?:registered )?(?:trade|service) ?marks? "
      "(?:of|owned by)\\b" },
    /* an imprint ("Example Media, Inc."): in the tail only, where it is
     * not a subheading naming a company */
    { F(COPYRIGHT), 8, GENERIC_P_TAIL,
      "^(?-i:\\p{Lu})[\\p{L}\\d&.'’ -]{1,60},?\\s+(?:inc|llc|l\\.l\\.c|ltd|"
      "limited|gmbh|corp|corporation|plc|s\\.a|s\\.l|ag|llp|pty ltd)\\.?$" },
    { F(COPYRIGHT), 40, 0,
      "\\b(?:may not be|must not be|cannot be) (?:\\S+ ){0,2}(?:published|"
      "reproduced|broadcast|rewritten|redistributed|copied)\\b" },
    { F(COPYRIGHT), 20, 0,
      "^(?:(?:terms (?:of|&|and) (?:use|service)|privacy(?: policy| notice| "
      "statement)?|cookie policy|contact(?: us)?|about(?: us)?|accessibility|"
      "site ?map|careers|advertise(?: with us)?|help|faq)(?:\\s*[|·•,/-]\\s*"
      "|\\s+|$)){2,}$" },

    /* sources */
    { F(SOURCES), 12, 0, "^sources?\\s*:\\s*\\S" },
    { F(SOURCES), 10, 0,
      "^\\(?(?:with )?(?:inputs? |reporting |additional reporting )?(?:from )?"
      "(?:agencies|agency inputs|wires|wire services|" GENERIC_AGENCY ")"
      "(?:\\s*(?:,|and|&)\\s*" GENERIC_AGENCY ")*\\)?\\.?$" },
    { F(SOURCES), 40, 0,
      "^this (?:article|story|post|piece) (?:was |is |has been |first |"
      "originally )+(?:published|appeared|produced|written|adapted|"
      "republished)\\b" },
    { F(SOURCES), 30, 0,
      "^(?:originally published|first published|republished|reprinted) "
      "(?:on|in|at|by|with)\\b" },
    { F(SOURCES), 15, 0,
      "^(?:read|see) (?:the )?(?:original|full) (?:article|story|report|post)\\b" },
    { F(SOURCES), 3, 0, "^source link$" },

    /* related stories and read-more lines */
    { F(RELATED), 10, GENERIC_P_SECTION,
      "^(?:related(?: stories| articles| posts| coverage| content| news| "
      "reading| links| videos?)?|read (?:more|also|next)|also read|"
      "also on \\S+(?: \\S+)?|(?:from )?around the web|"
      "more (?:from|stories|news|on this|coverage|in|like this)\\b.{0,40}|"
      "more(?: \\S+){1,2} (?:stories|news|articles|posts|videos)\\b.{0,40}|"
      "recommended(?: for you| stories| reading| articles)?|we recommend|"
      "you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|"
      "(?:don['’]t|do not) miss|trending(?: now| stories| news)?|"
      "most (?:popular|read|viewed|shared|emailed)(?: \\S+){0,3}|"
      "in case you missed it|blog archive|"
      "popular (?:stories|posts|now|articles)(?: \\S+){0,2}|top stories|"
      "editor['’]?s['’]? "
      "picks?|(?:promoted|sponsored) (?:stories|links)|"
      "latest (?:news|stories|articles|posts)|what to read next|"
      "further reading|up next|watch next)[.:!]?$" },
    { F(RELATED), 25, 0,
      "^(?:read more|read also|also read|see also|related|more|watch|listen|"
      "click here|continue reading)\\s*[:»>|]\\s*\\S" },
    { F(RELATED), 15, 0,
      "^(?:continue reading|read (?:the )?(?:full|rest of (?:the|this)) "
      "(?:article|story|post)|click here to read more)\\b" },
    /* the excerpt of another article, ending in its read-more link */
    { F(RELATED), 80, 0,
      "\\b(?:(?:read more|continue reading|read the rest|full story)\\s*"
      "(?:\\.\\.\\.|…|»|›|>>|→)?|more\\s*(?:\\.\\.\\.|…|»|›|>>|→))\\s*$" },
    { F(RELATED), 15, 0,
      "^[«‹<]?\\s*(?:previous|next|older|newer) (?:post|article|story|entries|entry)\\b" },

    /* interface words left of a widget */
    { F(CHROME), 4, 0,
      "^(?:close|menu|search|back to top|skip to (?:main )?content|loading|"
      "expand|collapse|show more|show less)\\s*(?:\\.\\.\\.|…|[!.×↑])?$" },

    /* ad labels */
    { F(ADS), 8, 0,
      "^[-–—\\s\\[(]*(?:advertisement|advertising|advert|ad|ads|"
      "sponsored(?: content| post| "
      "links)?|promoted(?: content| stories)?|paid (?:post|content|partnership)|"
      "partner content|(?:story|article) continues below(?: this)?"
      "(?: advertisement| ad)?|continue reading (?:below|the main story)|"
      "scroll (?:down )?to continue(?: with content)?|skip (?:ad|advert"
      "(?:isement)?)|ad feedback|report (?:this )?ad)[.:]?[-–—\\s\\])]*$" },
};

#undef F

/* ---- needed text ---- */

#define GENERIC_NEED_MIN 4  /* letters needed text must have to be used */
#define GENERIC_NEED_MAX 64 /* bytes of needed text kept */

/* Past a quantifier at re + i (none: i): "?", "*", "+", "{...}", and a
 * lazy or possessive mark after it. */
static size_t
generic_need_skip_quant(const char *re, size_t i)
{
    if (re[i] == '{') {
        const char *close = strchr(re + i, '}');
        return close != NULL ? (size_t) (close - re) + 1 : i + strlen(re + i);
    }
    if (re[i] == '?' || re[i] == '*' || re[i] == '+') {
        i++;
        if (re[i] == '?' || re[i] == '+') {
            i++;
        }
    }
    return i;
}

/* Past the character class opening at re + i. */
static size_t
generic_need_skip_class(const char *re, size_t i)
{
    i++;
    if (re[i] == '^') {
        i++;
    }
    if (re[i] == ']') {
        i++;
    }
    while (re[i] != '\0' && re[i] != ']') {
        i += re[i] == '\\' && re[i + 1] != '\0' ? 2 : 1;
    }
    return re[i] == ']' ? i + 1 : i;
}

/* Past the group opening at re + i, classes and escapes inside included. */
static size_t
generic_need_skip_group(const char *re, size_t i)
{
    unsigned depth = 0;

    do {
        if (re[i] == '\\' && re[i + 1] != '\0') {
            i += 2;
            continue;
        }
        if (re[i] == '[') {
            i = generic_need_skip_class(re, i);
            continue;
        }
        depth += re[i] == '(';
        depth -= re[i] == ')';
        i++;
    } while (re[i] != '\0' && depth > 0);
    return i;
}

static int
generic_need_plain(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == ' ';
}

/*
 * Text that every match of re contains, for a pattern whose first words
 * are common in prose ("\b(?:we|our)\b.{0,40}\buses? cookies\b"): the
 * unanchored search tries it at every such word, while the needed text
 * ("cookies") is rare.  It is the longest run of plain letters, digits
 * and spaces at the top level of re: in no group, class or alternative,
 * and not quantified, so no match can leave it out.  Writes it to out
 * and returns its length; 0 when re has none worth a search of its own:
 * re is anchored at the start (cheap to fail), starts with the text
 * itself (PCRE2 looks for that already), has a top-level alternative, or
 * uses syntax this reading does not follow.
 */
static size_t
generic_pattern_need(const char *re, char *out, size_t cap)
{
    size_t i = 0, run = 0, run_at = 0, best = 0, best_at = 0, letters = 0;

    if (re[0] == '^' || strstr(re, "\\Q") != NULL || strstr(re, "(?x") != NULL
        || strstr(re, "[[:") != NULL)
    {
        return 0;
    }
    for (;;) {
        char c = re[i];
        if (generic_need_plain(c)) {
            size_t after = generic_need_skip_quant(re, i + 1);
            if (after == i + 1) {
                run_at = run == 0 ? i : run_at;
                run++;
                i++;
                continue;
            }
            i = after; /* a quantified character ends the run */
        }
        if (run > best) {
            best = run;
            best_at = run_at;
        }
        run = 0;
        if (c == '\0') {
            break;
        }
        if (c == '|') {
            return 0;
        }
        if (generic_need_plain(c)) {
            continue;
        }
        if (c == '\\') {
            i += re[i + 1] != '\0' ? 2 : 1;
        } else if (c == '[') {
            i = generic_need_skip_class(re, i);
        } else if (c == '(') {
            i = generic_need_skip_group(re, i);
        } else {
            i++;
        }
        i = generic_need_skip_quant(re, i);
    }
    for (size_t k = best_at; k < best_at + best; k++) {
        letters += re[k] != ' ';
    }
    if (letters < GENERIC_NEED_MIN || best >= cap || best_at == 0
        || (best_at == 2 && strncmp(re, "\\b", 2) == 0))
    {
        return 0;
    }
    memcpy(out, re + best_at, best);
    out[best] = '\0';
    return best;
}

int
generic_patterns_init(struct generic_state *st, struct wn_err *err)
{
    const size_t n =
        sizeof(generic_pattern_defs) / sizeof(generic_pattern_defs[0]);
    const uint32_t opts =
        PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF;
    char need[GENERIC_NEED_MAX];
    int errcode;
    PCRE2_SIZE erroff;

    st->patterns = calloc(n, sizeof(*st->patterns));
    if (st->patterns == NULL) {
        err->code = WN_ENOMEM;
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return WN_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const struct generic_pattern_def *d = &generic_pattern_defs[i];
        struct generic_pattern *p = &st->patterns[i];

        p->filter = d->filter;
        p->max_words = d->max_words;
        p->tail = (d->flags & GENERIC_P_TAIL) != 0;
        p->section = (d->flags & GENERIC_P_SECTION) != 0;
        p->headed = (d->flags & GENERIC_P_HEADED) != 0;
        p->prose = (d->flags & GENERIC_P_PROSE) != 0;
        p->re = pcre2_compile((PCRE2_SPTR) d->re, PCRE2_ZERO_TERMINATED, opts,
                              &errcode, &erroff, NULL);
        st->npatterns = i + 1;
        if (p->re == NULL) {
            PCRE2_UCHAR msg[120];
            pcre2_get_error_message(errcode, msg, sizeof(msg));
            err->code = WN_EINVAL;
            snprintf(err->msg, sizeof(err->msg),
                     "pattern %zu (%s) at offset %zu: %s", i,
                     generic_filter_names[d->filter], (size_t) erroff,
                     (const char *) msg);
            return WN_EINVAL;
        }
        /* JIT is an optimisation: without it the interpreter runs. */
        (void) pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE);
        if (generic_pattern_need(d->re, need, sizeof(need)) > 0) {
            /* The same options: it matches wherever re's part does. */
            p->need = pcre2_compile((PCRE2_SPTR) need, PCRE2_ZERO_TERMINATED,
                                    opts, &errcode, &erroff, NULL);
            if (p->need != NULL) {
                (void) pcre2_jit_compile(p->need, PCRE2_JIT_COMPLETE);
            }
        }
    }
    st->re_sig_cue =
        pcre2_compile((PCRE2_SPTR) generic_sig_cue_pattern,
                      PCRE2_ZERO_TERMINATED, opts, &errcode, &erroff, NULL);
    st->re_sig_when =
        pcre2_compile((PCRE2_SPTR) generic_sig_when_pattern,
                      PCRE2_ZERO_TERMINATED, opts, &errcode, &erroff, NULL);
    if (st->re_sig_cue == NULL || st->re_sig_when == NULL) {
        err->code = WN_EINVAL;
        snprintf(err->msg, sizeof(err->msg), "signature pattern at offset %zu",
                 (size_t) erroff);
        return WN_EINVAL;
    }
    (void) pcre2_jit_compile(st->re_sig_cue, PCRE2_JIT_COMPLETE);
    (void) pcre2_jit_compile(st->re_sig_when, PCRE2_JIT_COMPLETE);
    return 0;
}

void
generic_patterns_free(struct generic_state *st)
{
    for (size_t i = 0; i < st->npatterns; i++) {
        pcre2_code_free(st->patterns[i].re);
        pcre2_code_free(st->patterns[i].need);
    }
    free(st->patterns);
    st->patterns = NULL;
    st->npatterns = 0;
    pcre2_code_free(st->re_sig_cue);
    pcre2_code_free(st->re_sig_when);
    st->re_sig_cue = st->re_sig_when = NULL;
}

int
generic_pattern_signature(struct generic_run *r, const char *text, size_t len)
{
    return generic_pattern_match(r, r->st->re_sig_cue, text, len)
           && generic_pattern_match(r, r->st->re_sig_when, text, len);
}

int
generic_pattern_match(struct generic_run *r, const pcre2_code *re,
                      const char *text, size_t len)
{
    return pcre2_match(re, (PCRE2_SPTR) text, len, 0, 0, r->md, r->mc) >= 0;
}

int
generic_pattern_test(struct generic_run *r, const struct generic_pattern *pat,
                     const char *text, size_t len)
{
    /* Only a definite "no" skips the pattern: a limit hit decides nothing. */
    if (pat->need != NULL
        && pcre2_match(pat->need, (PCRE2_SPTR) text, len, 0, 0, r->md, r->mc)
               == PCRE2_ERROR_NOMATCH)
    {
        return 0;
    }
    return generic_pattern_match(r, pat->re, text, len);
}
