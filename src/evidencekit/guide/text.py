"""Every sentence the guide, the wizard and the under-18 safeguard show, in one place.

Kept together so that the tone can be checked in one read (calm, plain, blame-free, no countdowns)
and so that the text is ready for translation: each string goes through `_()` (gettext), and a
translation catalogue dropped into `guide/locale/<lang>/LC_MESSAGES/evidencekit.mo` replaces it.
Strings with `{name}` placeholders are formatted after translation.

The strings are plain text (no Rich markup) so they read the same in a terminal, in a pipe, in a
log and through a screen reader; the CLI decides how to show them.
"""

from __future__ import annotations

import gettext
from pathlib import Path

_catalogue = gettext.translation(
    "evidencekit", localedir=str(Path(__file__).parent / "locale"), fallback=True
)
_ = _catalogue.gettext

# ---- control words (what a person can type at any question) ----------------------------------

SKIP_WORD = _("skip")
STOP_WORD = _("stop")
CONTROL_HINT = _("(Type “skip” to skip this step, or “stop” to stop here and come back later.)")

# ---- the welcome (`evidencekit` with no arguments) ---------------------------------------------

WELCOME = _(
    "Welcome to evidencekit.\n"
    "\n"
    "If someone is threatening to share intimate images of you: this is not your fault, and it can "
    "be dealt with. You do not have to do everything at once.\n"
    "\n"
    "To be guided one step at a time, run:\n"
    "\n"
    "    evidencekit start\n"
    "\n"
    "To see what to do and who can help (helplines and reporting routes), run:\n"
    "\n"
    "    evidencekit guide --country GB      (or US, AU, CA, IE, DE…)\n"
    "\n"
    "To practise first on invented sample evidence:  evidencekit demo\n"
    "All commands:  evidencekit --help"
)

# ---- the advice checklist ----------------------------------------------------------------------

GUIDE_EMERGENCY_BANNER = _("If you are in danger right now, call {numbers}.")
CHECKLIST_TITLE = _("What to do, one step at a time")
CHECKLIST_NO_CASE = _(
    "(Run this inside a case folder, or add --case FOLDER, to see which steps this case has done.)"
)
STATUS_DONE = _("done")
STATUS_NOT_YET = _("not yet")
STATUS_ADVICE = _("advice")

STEP_CALM_TITLE = _("Don't panic")
STEP_CALM_ADVICE = _(
    "This is not your fault. People who do this often do it to many others; the police deal with "
    "it every day and will not judge you. Take a breath: you can do this one step at a time."
)
STEP_DONT_PAY_TITLE = _("Don't pay, and stop replying")
STEP_DONT_PAY_ADVICE = _(
    "Paying rarely ends it and often leads to more demands. If you have already paid, stop now and "
    "call your bank: a payment that has not been collected can sometimes be stopped."
)
STEP_SAVE_TITLE = _("Save the evidence")
STEP_SAVE_ADVICE = _(
    "Don't delete anything yet. Save screenshots of the whole conversation (with the account name "
    "and the dates), and the app's own export of the chat."
)
STEP_URLS_TITLE = _("Collect the web addresses")
STEP_URLS_ADVICE = _(
    "Copy the address of the account's profile and of any post or payment link, from the address bar."
)
STEP_REPORT_TITLE = _("Report the account to the platform")
STEP_REPORT_ADVICE = _(
    "After saving the evidence, use the app's Report button (threats to share private images). "
    "Keep any ticket or reference number."
)
STEP_ISP_TITLE = _("Tell the internet provider or website host")
STEP_ISP_ADVICE = _(
    "If images are posted on a website, report them to the site's abuse contact or its host. "
    "Police advise telling your own internet provider too."
)
STEP_BLOCK_TITLE = _("Block the account")
STEP_BLOCK_ADVICE = _(
    "Block it after you have saved the evidence. If you want to leave the platform, deactivate your "
    "account rather than deleting it, so the messages stay available to the police."
)
STEP_POLICE_TITLE = _("Contact the police")
STEP_POLICE_ADVICE = _("Give them the case folder and its seal fingerprint. Keep the crime reference number.")
STEP_SEAL_TITLE = _("Seal the case and write down its fingerprint")
STEP_SEAL_ADVICE = _("Sealing lets anyone check later that nothing in the case was changed.")
STEP_SUPPORT_TITLE = _("Talk to someone")
STEP_SUPPORT_ADVICE = _(
    "A helpline can support you and help with the next steps. You don't have to do this alone."
)
STEP_HASHING_TITLE = _("Stop the images spreading, without sharing them")
STEP_HASHING_ADVICE_ADULT = _(
    "StopNCII.org makes fingerprints (hashes) of the images on your own device; only the "
    "fingerprints are shared with platforms, the images never leave your device."
)
STEP_HASHING_ADVICE_MINOR = _(
    "For images of anyone under 18: Take It Down (takeitdown.ncmec.org) works the same way, on the "
    "device that has the image; in the UK, Report Remove on the Childline website."
)
DETAIL_ITEMS = _("{count} item(s) saved")
DETAIL_URLS = _("{count} web address(es) recorded")
DETAIL_SEALED = _("sealed")
DETAIL_ACTION_TO = _("to {to}")
DETAIL_ACTION_REF = _("reference {ref}")

# ---- the directory (helplines and reporting routes) -------------------------------------------

ROUTES_TITLE = _("Who can help: {where}")
ROUTES_WHERE_COUNTRY = _("{name} ({code})")
ROUTES_WHERE_EU = _("{name} ({code}): EU-wide services")
ROUTES_WHERE_OTHER = _("{name} ({code}): services open to everyone, wherever you are")
ROUTES_WHERE_OTHER_ONLY = _("services open to everyone, wherever you are")
ROUTES_WHERE_UNKNOWN = _(
    "anywhere (add --country with your country's name or code, e.g. GB, US, IN, DE, for its services)"
)
ROUTES_UNKNOWN_COUNTRY = _(
    "So here are the services open to everyone. To reach the police, call your local emergency "
    "number (112 works in many countries) or go to the nearest police station."
)
ROUTES_FOR_UNDER_18 = _("Shown for a case where someone shown was under 18.")
ROUTES_FOR_ADULT = _("Shown for adults (nobody shown was under 18).")
ROUTES_FOR_EVERYONE = _("Services for under-18s and for adults are both shown; each says who it is for.")
ROUTES_NO_NATIONAL = _(
    "evidencekit does not list the national services of {name} yet: your national police and the "
    "services below can help."
)
SECTION_EMERGENCY = _("If you are in danger right now")
SECTION_CRISIS = _("If you feel overwhelmed, or are thinking about hurting yourself")
SECTION_REPORT = _("Report it")
SECTION_TAKEDOWN = _("Get images taken down, without sharing them")
SECTION_SUPPORT = _("Support and advice")
AUDIENCE_UNDER_18 = _("for under-18s, and adults helping them")
AUDIENCE_ADULT = _("for adults")
LABEL_PHONE = _("Phone")
LABEL_TEXT = _("Text")
LABEL_WEB = _("Web")
LABEL_HOURS = _("Hours")
LAST_CHECKED = _(
    "These details were last checked on {date}. Numbers and addresses change: if one does not "
    "work, search for the service's name."
)
# The stale entries follow one a line (STALE_ENTRY): a list of them in one sentence grew past
# what a terminal line may show and was cut.
DIRECTORY_STALE = _(
    "Some of these were last checked more than a year ago. Before you rely on one of them, search "
    "for the service's name to check the number or address still works:"
)
STALE_ENTRY = _("{name}, last checked {date}")

# ---- the under-18 safeguard --------------------------------------------------------------------

UNDER_18_QUESTION = _(
    "Was anyone shown in the images under 18 when they were taken? That includes you, if you were "
    "under 18 then."
)
UNDER_18_YES = _("yes")
UNDER_18_NO = _("no")
UNDER_18_UNSURE = _("not sure")
UNDER_18_YES_LABEL = _("yes, someone was under 18")
UNDER_18_NO_LABEL = _("no, everyone was 18 or over")
UNDER_18_UNSURE_LABEL = _("not sure (evidencekit then takes the safest path)")
UNDER_18_THANKS = _(
    "Thank you for telling me. You have done nothing wrong, and help made for exactly this exists."
)
UNDER_18_RULES = _(
    "One important thing: please do not screenshot, save, copy or send those images, not even to "
    "the police or to warn someone. For anyone under 18 a copy is itself unlawful, even for the "
    "person in it. Leave them where they are, and don't delete them.\n"
    "\n"
    "evidencekit will not copy any image or video into this case without asking you first. You can "
    "still save the chat, the account names and the web addresses: that is what the police need most."
)
UNDER_18_ROUTES_INTRO = _("These services are made for this:")
UNDER_18_ADULT_NOTE = _(
    "Intimate images are never copied into the case: evidencekit records them by reference (their "
    "fingerprint and facts), and the originals stay where they are."
)
UNDER_18_ALREADY = _("This case is marked: someone shown was under 18 at the time.")
UNDER_18_ALREADY_NO = _("This case is marked: nobody shown was under 18.")
UNDER_18_EXISTING_MEDIA = _(
    "This case already holds {count} image(s) or video(s) that were copied before this answer. "
    "Don't delete anything yourself: if any of them could show nudity, tell the police (or the "
    "child-protection service below) about it, and they will say what to do."
)
UNDER_18_FLAG_HINT = _(
    "Tip: to tell evidencekit whether anyone shown was under 18, create cases with --under-18 or "
    "--no-under-18, or answer the question in: evidencekit start (later: evidencekit under-18 yes, no or "
    "not-sure)"
)

# The safeguard's refusals (MEDIA_REFUSED, SCREEN_REFUSED and their hints) are in
# intake/safeguard.py, below the guide, beside the rule that raises them.
MEDIA_QUESTION = _(
    "Among these are images or videos (or archives that may hold them): {count} in all, for "
    "example {examples}.\nDoes any of them show nudity or sexual content?"
)
MEDIA_YES_LABEL = _("yes, or it could: record them by reference only, never copied")
MEDIA_NO_LABEL = _("no, none of them shows nudity (for example, chat screenshots)")
MEDIA_STOP_LABEL = _("stop: capture nothing")
MEDIA_BY_REFERENCE = _(
    "They will be recorded by reference only: their fingerprint and facts, never copied. Keep the "
    "originals where they are, and don't delete them."
)
MEDIA_OTHERS_COPIED = _(
    "Only those images and videos are kept by reference. Everything else (a chat export, text "
    "files) is copied as usual, and a chat export is still read into a transcript."
)
SCREEN_QUESTION = _(
    "This case is marked: someone shown may have been under 18. Will the screen show only the "
    "conversation, with no nudity?"
)
SCREEN_YES_LABEL = _("yes, the screen shows no nudity")
SCREEN_NO_LABEL = _("no, or not sure: don't take it")
NOTHING_CAPTURED = _(
    "Nothing was captured. Please don't take a screenshot of an intimate image; save the "
    "conversation and the account details instead."
)

# ---- the wizard --------------------------------------------------------------------------------

WIZARD_NEEDS_TERMINAL = _(
    "evidencekit start asks you questions one at a time, so it needs a terminal window (this one "
    "is not connected to a keyboard)."
)
WIZARD_NEEDS_TERMINAL_HINT = _(
    "Open a terminal and run `evidencekit start` there. In scripts, use the commands directly: "
    "evidencekit new, capture, add-url, seal (see `evidencekit guide`)."
)
WIZARD_WELCOME = _(
    "Hello. This guide helps you save the evidence safely, one step at a time.\n"
    "\n"
    "First: this is not your fault. Don't pay, stop replying, and don't delete anything yet.\n"
    "\n"
    "You can skip any step, stop at any time and come back later: everything you save is kept. "
    "There is no time limit."
)
WIZARD_EMERGENCY = _(
    "If you are in danger right now, or thinking about hurting yourself, please call for help now: {numbers}."
)
WIZARD_EMERGENCY_DEFAULT = _(
    "your local emergency number (999 or 112 in the UK and Ireland, 911 in "
    "the US and Canada, 000 in Australia, 112 in the EU)"
)
WIZARD_WELCOME_BACK = _("Welcome back. Here is where you are with case {case_id}:")
WIZARD_RESUME_QUESTION = _("You started case {case_id} (“{title}”) in {path}. Continue with it?")
WIZARD_RESUME_YES = _("yes, continue with it")
WIZARD_RESUME_NEW = _("no, start a new case")
WIZARD_CONTINUE_WITH = _("Next step: {title}.")
WIZARD_STEP_SKIPPED = _("Skipped. You can come back to it later with `evidencekit start`.")
WIZARD_STOPPED = _(
    "Stopped. Everything you saved is kept. Run `evidencekit start` again whenever you are ready; "
    "it continues where you left off."
)
WIZARD_STOPPED_CASE = _("Your case is in: {path}")
WIZARD_REVISIT_QUESTION = _("You skipped some steps. Do one of them now?")
WIZARD_AGAIN_QUESTION = _(
    "Every step has been done for this case. Is there something you want to add or do again?"
)
WIZARD_REVISIT_NONE = _("no, I'm finished for now")
WIZARD_ALL_DONE = _(
    "That's everything for now. Well done: you have done a lot. Run `evidencekit start` again to "
    "add more, or `evidencekit guide` to see this checklist again."
)
WIZARD_PROBLEM_RETRY = _("Let's try that again.")
WIZARD_YES = _("yes")
WIZARD_NO = _("no")
WIZARD_DONE_WORD = _("done")

STEP_STATUS_DONE = _("done")
STEP_STATUS_SKIPPED = _("skipped")
STEP_STATUS_TODO = _("to do")

WSTEP_CASE = _("Your case folder")
WSTEP_UNDER_18 = _("Was anyone shown under 18?")
WSTEP_SCREENSHOTS = _("Screenshots")
WSTEP_EXPORTS = _("Chat exports and other files")
WSTEP_URLS = _("Web addresses")
WSTEP_OFFENDERS = _("The accounts that contacted you")
WSTEP_PAYMENTS = _("Money they asked for")
WSTEP_NOTES = _("What happened, in your own words")
WSTEP_ACTIONS = _("What you have already done")
WSTEP_REPORT = _("The report for the police")
WSTEP_SEAL = _("Seal the case")
WSTEP_HANDOVER = _("An encrypted copy for the police")
WSTEP_NEXT = _("What to do next")

CASE_INTRO = _(
    "First, a case folder: it keeps everything together, with a fingerprint (SHA-256) of every file. "
    "Your original files are only read, never changed or moved."
)
CASE_FOLDER_QUESTION = _("Where should the case folder be made? Press Enter for: {default}")
CASE_COLLECTOR_QUESTION = _(
    "Who is saving the evidence: you, or someone helping you? A name is enough (press Enter to leave it out)."
)
CASE_COUNTRY_QUESTION = _(
    "Which country are you in? This picks the right helplines. Its name or its two-letter code, "
    "e.g. United Kingdom or GB, India or IN (press Enter to leave it out)."
)
CASE_FOLDER_TAKEN = _("{path} already exists and is not empty.")
CASE_FOLDER_TAKEN_HINT = _("Choose a new folder name; evidencekit creates the folder for you.")
CAPTURING = _("Capturing")
CASE_CREATED = _("Created case {case_id} in {path}.")
CASE_PRIVATE = _(
    "Only your computer account can open this folder. Times are recorded in UTC and shown in {zone}."
)
CASE_NO_ZONE = _(
    "This computer's time zone has no name evidencekit can read, so times are recorded in UTC with "
    "their offset."
)
CASE_OPENED = _("Working on case {case_id} (“{title}”) in {path}.")
CASE_SKIPPED = _(
    "Without a case folder there is nothing to save into, so the next steps are skipped. The advice "
    "and helplines follow."
)

SEALED_QUESTION = _(
    "This case is sealed. To add more it has to be reopened: that is logged, and you seal it again "
    "at the end. Reopen it now?"
)
REOPENED = _("Reopened. The earlier seal is kept in {folder}/ and can still be checked.")

SCREENSHOTS_INTRO = _(
    "Screenshots of the conversation help most when they show the whole screen: the messages, the "
    "account's name, and the dates and times (in a browser, the web address too)."
)
SCREENSHOTS_INTRO_MINOR = _(
    "Screenshot only the conversation and the account, never an intimate image (not even blurred)."
)
SCREENSHOTS_INTRO_ADULT = _("Make sure no intimate image is on the screen when you take one.")
SCREENSHOTS_QUESTION = _("What would you like to do?")
SCREENSHOTS_TAKE = _("take a screenshot of this screen now")
SCREENSHOTS_FILES = _("add screenshots I already have (files or a folder)")
SCREENSHOTS_DONE = _("done with screenshots")
SCREEN_UNAVAILABLE = _("A screenshot cannot be taken here: {reason}")
SCREEN_UNAVAILABLE_TIP = _(
    "You can take screenshots with your phone or your computer's screenshot key instead, then add the files."
)
SCREEN_DELAY_QUESTION = _(
    "How many seconds should evidencekit wait, so you can bring the conversation to the front? "
    "Press Enter for {default}."
)
SCREEN_DELAY_INVALID = _("Please type a number of seconds, such as 5 or 10.")
SCREEN_TAKING = _(
    "The screenshot will be taken in {seconds} seconds. Bring the conversation to the front now, "
    "then come back to this window."
)
SCREEN_SAVED = _("Saved {item_id}: a screenshot of the screen ({width} × {height}, SHA-256 {digest}…).")
SCREEN_WINDOW = _("The window in front was: {title}")
SCREEN_CLI_SAVED = _(
    "Saved {item_id} in case {case_id}: a screenshot of the screen ({width} × {height}, sha256 {digest}…)"
)
SCREEN_CLI_TAKEN_AT = _("Taken at {when}")
SCREEN_CLI_NEXT = _("take more, capture the chat export, record the web addresses, then: evidencekit seal")
SCREEN_WITH_FILES = _("--screen takes a screenshot; it does not also capture files.")
SCREEN_WITH_FILES_HINT = _("Capture the files with a separate `evidencekit capture FILE…`.")
SCREEN_NOT_SENSITIVE = _("A screenshot cannot be recorded by reference: it is a new copy of the screen.")
SCREEN_NOT_SENSITIVE_HINT = _(
    "Never take a screenshot of an intimate image. Capture the original file with --sensitive."
)
GUIDE_HINT = _("`evidencekit guide` lists who can help.")
SERVICES_HINT = _("The services made for this:  evidencekit guide")
TYPE_ONE_OF = _("Please type one of: {keys} (or the number).")
TYPE_AN_ANSWER = _("Please type an answer.")

FILES_QUESTION = _(
    "Type the path of a file or folder, or drag it into this window. Several paths can go on one "
    "line. Press Enter when you are done."
)
FILES_NOTE_QUESTION = _(
    "A short note about what these show, e.g. “threats on Instagram” (press Enter to leave it out)."
)
FILES_SAVED = _("Saved {item_id} {kind}: {name} ({detail})")
FILES_BY_REFERENCE = _("recorded by reference, not copied")
FILES_WITHHELD = _("; {count} of them recorded by reference only, not copied")
FILES_DUPLICATE = _("{path} is already in the case as {existing}, so it was not stored again.")
FILES_LEFT_OUT = _("Left out {path}: {reason}.")

EXPORTS_INTRO = _(
    "The app's own export of a chat is stronger evidence than screenshots. How to get one:\n"
    "  WhatsApp: open the chat → ⋮ or the contact's name → Export chat.\n"
    "  Instagram, Facebook, Messenger: Accounts Centre → Your information and permissions → "
    "Download your information (choose JSON).\n"
    "  Telegram Desktop: Settings → Advanced → Export Telegram data (JSON).\n"
    "  Snapchat, Discord: Settings → My data / Data & privacy → request your data.\n"
    "Save it exactly as it arrives (the zip or the folder), then add it here."
)

URLS_INTRO = _(
    "Web addresses show the police exactly where things are: the account's profile first, then any "
    "post where images were shared and any payment link. Copy them from the address bar. Nothing is "
    "downloaded."
)
URLS_QUESTION = _("Paste a web address (press Enter when you are done).")
URLS_KIND_QUESTION = _("What is this address?")
URLS_KIND_PROFILE = _("the account's profile")
URLS_KIND_CONTENT = _("a post, image or video")
URLS_KIND_CONVERSATION = _("a conversation")
URLS_KIND_PAYMENT = _("a payment link or account")
URLS_KIND_OTHER = _("something else")
URLS_SENSITIVE_QUESTION = _(
    "Does that page show intimate images? (If so, evidencekit records the address only and never opens it.)"
)
URLS_SAVED = _("Recorded {url_id}: {url}")
URLS_DUPLICATE = _("That address is already recorded as {existing}; nothing was added.")

OFFENDERS_INTRO = _(
    "Now the accounts that contacted you. A display name alone is not enough for the police: the "
    "username or handle, the account's ID or its profile address is what lets them find it."
)
OFFENDERS_PLATFORM_QUESTION = _(
    "Which app or website was the account on? e.g. Instagram (press Enter when you are done)."
)
OFFENDERS_FIELD_QUESTION = _("{label} (press Enter to leave it out)")
OFFENDER_SAVED = _("Recorded the account as {record_id}.")
PAYMENTS_INTRO = _("If they asked for money, the details of where it was to go help the police follow it.")
PAYMENTS_ASKED_QUESTION = _("Did they ask you for money, gift cards or cryptocurrency?")
PAYMENTS_METHOD_QUESTION = _("How did they want to be paid?")
PAYMENTS_AMOUNT_QUESTION = _(
    "How much did they ask for? e.g. 250 GBP, £250 or 0.01 BTC (press Enter if you don't know)."
)
PAYMENTS_AMOUNT_HINT = _("Write the number and the currency, e.g. 250 GBP, €100 or 0.01 BTC.")
PAYMENTS_CURRENCY_QUESTION = _(
    "Which currency? e.g. GBP, USD, EUR, INR or BTC (press Enter if you don't know)."
)
NOT_A_CURRENCY = _("“{code}” is not a currency code.")
PAYMENTS_PAID_QUESTION = _("Did you pay?")
PAYMENTS_PAID_ADVICE = _(
    "That's all right: many people do. Please don't pay any more, and call your bank now: a "
    "payment that has not been collected can sometimes be stopped."
)
PAYMENTS_WHEN_QUESTION = _(
    "When did they ask (or when did you pay)? e.g. “yesterday 9pm”, “an hour ago” or 2026-03-14 21:07 "
    "(press Enter if you don't know)."
)
PAYMENTS_MORE_QUESTION = _("Did they ask for another payment you want to record?")
PAYMENT_SAVED = _("Recorded the payment as {record_id}.")
TIME_AS_SAID = _("time given as “{said}”")
ALREADY_RECORDED = _("That is already recorded as {existing}; nothing was added.")

NOTES_INTRO = _(
    "Now, if you want, write down what happened in your own words: how it started, what they said "
    "they would do, what they asked for. A few sentences are enough, and you can add more later."
)
NOTES_QUESTION = _("What happened? (press Enter when you are done)")
NOTES_WHEN_QUESTION = _(
    "When did that happen? e.g. “yesterday 9pm” or 2026-03-14 21:07 (press Enter if you don't know)."
)
NOTE_SAVED = _("Saved your note as {record_id}.")

ACTIONS_INTRO = _(
    "If you have already reported the account, blocked it or told the police, record it here with "
    "any reference number you were given: it lets the police join this case to that report."
)
ACTIONS_QUESTION = _("Have you done any of these?")
ACTIONS_REPORTED = _("I reported the account to the app or website")
ACTIONS_BLOCKED = _("I blocked the account")
ACTIONS_POLICE = _("I told the police")
ACTIONS_HELPLINE = _("I contacted a helpline")
ACTIONS_DONE = _("nothing (more) to record")
ACTIONS_TO_QUESTIONS = {
    "reported": _("Which app or website did you report it to?"),
    "blocked": _("On which app or website?"),
    "police": _("Which police force or station? (press Enter to leave it out)"),
    "helpline": _("Which helpline? (press Enter to leave it out)"),
}
ACTIONS_TO_DEFAULT = _("Press Enter for: {default}")
ACTIONS_REF_QUESTIONS = {
    "reported": _("The report or ticket number, if you got one (press Enter if not)."),
    "police": _("The crime reference number, if you got one (press Enter if not)."),
    "helpline": _("Their case number, if you got one (press Enter if not)."),
}
ACTIONS_WHEN_QUESTION = _(
    "When? e.g. “today 10am”, “yesterday 9pm” or 2026-03-15 10:30 (press Enter if you don't know)."
)
ACTION_SAVED = _("Recorded it as {record_id}.")

FIELD_LABELS = {
    "username": _("Their username or handle (the @name, or the name in their profile's address)"),
    "profile_url": _("The address of their profile, e.g. instagram.com/name"),
    "display_name": _("The name it shows"),
    "phone": _("A phone number they used"),
    "email": _("An e-mail address they used"),
    "note": _("Anything else about this"),
    "payee": _("Who the money was to go to (a name or handle)"),
    "account": _("The account it was to go to: bank account or IBAN, PayPal address or similar"),
    "wallet": _("The crypto wallet address, copied exactly"),
    "tx": _("The transaction ID or hash, if you paid"),
    "brand": _("The gift card's brand, e.g. Apple, Steam, Google Play"),
    "reference": _(
        "A reference: the transfer's tracking number (MTCN), the gift card number or the bank reference"
    ),
}

REPORT_INTRO = _(
    "The report is what an officer reads first: the accounts, payments, a timeline and every "
    "exhibit with its fingerprint. Intimate images are never shown in it, only their fingerprints."
)
REPORT_QUESTION = _("Make the report now? (it is saved in the case, as a web page and a PDF)")
REPORT_MAKING = _("Making the report")
REPORT_DONE = _("The report is in the case:")
REPORT_PREVIEWS = _(
    "It shows previews, large enough to read, of screenshots you did not mark as intimate. If any "
    "of them shows intimate content, make it again without them: evidencekit report --no-images"
)
REPORT_RESEALED = _("The case was sealed again with the report in it. New seal fingerprint:")

HANDOVER_NOT_SEALED = _(
    "An encrypted copy can only be made of a sealed case, so this step waits until the case is sealed."
)
HANDOVER_INTRO = _(
    "You can give the police the case folder as it is, or an encrypted copy: one file only they "
    "can open, safe to send or put on a USB stick. It is made beside the case folder."
)
HANDOVER_QUESTION = _("Make an encrypted copy now?")
HANDOVER_KEY_QUESTION = _(
    "If the police gave you a key (it starts with age1), paste it here. Otherwise press Enter to "
    "choose a passphrase instead."
)
HANDOVER_MAKING = _("Encrypting")
PASSPHRASE_INTRO = _(
    "Choose a passphrase for the encrypted copy: four or more unrelated words are good. Nobody can "
    "recover a lost passphrase, so keep it safe, and give it to the police separately from the "
    "files (by phone or in person)."
)
PASSPHRASE_PROMPT = _("New passphrase (not shown as you type): ")
PASSPHRASE_AGAIN = _("Type it again: ")
PASSPHRASE_WEAK = _("That passphrase is too weak: {reason}. Please choose another.")
PASSPHRASE_DIFFERENT = _("The two passphrases were not the same. Please try again.")
PASSPHRASE_NONE = _("No passphrase was chosen, so no encrypted copy was made.")
PASSPHRASE_NONE_HINT = _("Run evidencekit start again when you are ready, or: evidencekit seal --encrypt")
HANDOVER_DONE = _("The encrypted copy is in {folder}:")
HANDOVER_GIVE_PASSPHRASE = _(
    "Give the police all {count} files together. Tell them the passphrase separately, by phone or "
    "in person, never in the same e-mail. Nobody can recover a lost passphrase."
)
HANDOVER_GIVE_KEY = _("Give the police all {count} files together: only their key opens the copy.")

SEAL_INTRO = _(
    "Sealing signs the case so that anyone can later check nothing in it was changed. You get a "
    "fingerprint to write down. You can still add more later: reopening is logged."
)
SEAL_QUESTION = _("Seal the case now?")
SEAL_DONE = _("Sealed case {case_id}.")
SEAL_ALREADY = _("Case {case_id} was already sealed; nothing was changed.")
SEAL_FINGERPRINT = _("Seal fingerprint (write it down, or e-mail it to yourself):")
SEAL_HANDOVER = _(
    "Give the police the whole case folder and this fingerprint. They can check it with their own "
    "tools: seal/VERIFY.txt inside the folder explains how."
)

NEXT_INTRO = _("Here is what to do next, and who can help.")
NEXT_ACTION_TIP = _(
    "When you report or block the account, or contact the police, later on: run evidencekit start "
    "again and choose “What you have already done” to record it with its reference number."
)
