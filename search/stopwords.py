"""Words a resident types around what she is looking for: "water leak in *my*
house", "*ik zoek* een taalcursus", "*ليس عندي* اكل".

They name nothing a service offers, so as word groups of their own they only
pull in services that happen to use them ("in", "my" match every summary) or,
when no service has all the words, make the search give up on them. The
analysis (``search/analysis.py``) drops them from a query after the thesaurus
phrases are found (``talo sharci oo bilaash ah`` keeps its ``oo`` as part of
the term), and keeps them when a query has nothing else.

Closed-class words only (articles, prepositions, pronouns, auxiliaries,
question words and a few query fillers such as "need", "want"), and the
word for "help" itself, which in a directory of help names nothing a service
offers (a thesaurus phrase with it, such as Turkish *kira yardımı*, rent
allowance, is found before these are dropped); written for
this site and short on purpose: a content word here would make services
unfindable. They are typed as residents type them (without accents; the
analysis normalises both sides). Not reviewed by native speakers yet.
"""

from __future__ import annotations

STOPWORDS: dict[str, str] = {
    "nl": """
        de het een en of in op aan bij van voor met naar om te tot uit over door als dan
        dat die dit deze ik je jij u mijn me mij jouw uw we wij ons onze ze zij hij haar
        is ben bent was wil wilt willen kan kun kunt moet moeten heb hebt heeft hebben
        waar hoe wat wie wanneer er ook nog maar zo heel erg wel graag alsjeblieft
    """,
    "en": """
        a an the and or of in on at to for from with by about into my me i im its it is
        are am was be been have has had do does did dont can cant cannot could would
        should will want need needs looking where how what who when which there this
        that these those your you we our us they them their he she his her some any very
        please get got just also no not help support assistance
    """,
    "ar": """
        في من الى إلى على عن مع او أو ان أن إن هذا هذه ذلك التي الذي انا أنا لي عندي ما
        ماذا كيف اين أين هل لا ليس لم لن كل بعض جدا اريد أريد احتاج أحتاج نحن هو هي
        مساعدة
    """,
    "fa": """
        در از به با برای که و یا را این آن من تو ما شما او هست است هستم نیست می
        میخواهم میخوام چطور کجا چه چی هم یک کی کمک
    """,
    "ti": """
        ኣብ ናይ ምስ ካብ ናብ እንታይ ከመይ ኣበይ ኣነ ንስኻ ንስኺ ንሕና እዩ እየ ኣሎ ዘሎ ወይ ከኣ ግን
        ኩሉ እደሊ ይደሊ ሓገዝ ሐገዝ
    """,
    "uk": """
        в у на з із зі до від для про по за і й та або а але не ні що як де коли хто мені
        мене мій моя моє мої я ти ви ми він вона вони це цей ця є був була хочу треба
        потрібно потрібна можу можна дуже чи при над під після допомога допомогу
    """,
    "tr": """
        ve veya ile icin bir bu o ben sen biz siz onlar benim bana beni mi mu de da ne
        nasil nerede nereye nerde kim var cok en gibi daha ama fakat ki ya istiyorum
        lazim yardim yardimi yardima
    """,
    "pl": """
        w we z ze na do od dla o po przy za i a lub albo ale nie to jest sa mam moj moja
        moje mi mnie ja ty my wy on ona oni jak gdzie co kto kiedy czy sie chce
        potrzebuje bardzo tez u pomoc pomocy
    """,
    "so": """
        iyo ama oo ee ka ku u la ayaa waa baa ah ma aan waxaan waxay wuxuu aniga anigu
        adiga isaga iyada ayaan in sidee xagee halkee maxay yaa karo kari caawimaad
        caawimo caawin
    """,
}
