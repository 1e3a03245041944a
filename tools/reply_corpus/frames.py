"""What surrounds the sentence a draft is about: greetings, neutral context, closings and signatures.

The same frames wrap a bad sentence and its mended neighbour, so the learned layer sees the frames in
both classes and learns the sentence, not the frame. Topics here are the common municipal ones
(snow, water, waste, kindergarten, library, pool, roads, building cases, invoices, schools, culture);
the fresh evaluation parts' topics (harbour, cinema, cemetery, tourist office, farming, school
transport, fire ban, cabins, digital services, parking, care alarms, newcomers) are left out on purpose.
"""

from __future__ import annotations

NAMES = ["Kari", "Ola", "Nina", "Jonas", "Marit", "Erik", "Sofie", "Leif", "Aisha", "Tobias", "Ingeborg", "Sindre",
         "Mari", "Anders", "Hanne", "Petter", "Silje", "Arvid", "Maja", "Kjetil", "Ragnhild", "Emil", "Tuva", "Dag"]

GREETINGS = {
    "nb": ["Hei!", "Hei {name}!", "Hei, {name}.", "Hei og takk for meldingen!", "Takk for at du tar kontakt.",
           "Hei, og takk for spørsmålet.", "God morgen!", "Hei igjen!", "Hallo!", "Takk for innlegget.", ""],
    "nn": ["Hei!", "Hei {name}!", "Hei, {name}.", "Hei og takk for meldinga!", "Takk for at du tek kontakt.",
           "Hei, og takk for spørsmålet.", "God morgon!", "Hei igjen!", "Takk for innlegget.", ""],
    "en": ["Hi!", "Hi {name}!", "Hello {name},", "Thanks for your message.", "Hi there,", "Good morning!",
           "Thanks for getting in touch.", "Hello!", ""],
}

CLOSINGS = {
    "nb": ["Ha en fin dag!", "Vennlig hilsen Servicetorget", "Hilsen oss i kommunen", "Mvh Teknisk drift",
           "Ta gjerne kontakt om du lurer på noe mer.", "God helg!", "Hilsen Kari i kundeservice", "— Biblioteket",
           "Hilsen Kommunikasjonsavdelingen", "", "", ""],
    "nn": ["Ha ein fin dag!", "Venleg helsing Servicetorget", "Helsing oss i kommunen", "Mvh Teknisk drift",
           "Ta gjerne kontakt om du lurer på noko meir.", "God helg!", "Helsing Ragnhild på biblioteket", "", "", ""],
    "en": ["Have a nice day!", "Best regards, the Service Centre", "Kind regards, Technical Services",
           "Let us know if there's anything else.", "Have a good weekend!", "Cheers, the library team", "", "", ""],
}

#: Neutral sentences on the training topics: information, apologies, guidance, forwarding.
CONTEXT = {
    "nb": [
        "Brøytebilene har vært ute siden klokka fire i natt.",
        "Søppeltømmingen er forsinket denne uka på grunn av helligdagene.",
        "Vannet i Elvebakken blir stengt mellom 9 og 13 i morgen.",
        "Biblioteket har åpent til kl. 20 på torsdager.",
        "Svømmehallen er stengt for rengjøring i uke 33.",
        "Vi har sendt saken videre til byggesaksavdelingen.",
        "Fakturaen for kommunale avgifter sendes ut i februar.",
        "Barnehageopptaket for høsten er i gang.",
        "Gatelysene i boligfeltet skal skiftes ut i løpet av høsten.",
        "Kulturskolen har påmelding fram til 15. april.",
        "Veien ved skolen blir asfaltert i juni.",
        "Gjenvinningsstasjonen har utvidet åpningstid om våren.",
        "Eiendomsskatten for i år er lagt ut på nettsiden.",
        "Vi beklager ulempene dette gir.",
        "Vi har fått mange spørsmål om dette den siste uka.",
        "Lekeplassen i parken får nye huskestativ til sommeren.",
        "Helsestasjonen har drop-in for ungdom hver tirsdag.",
        "Valglokalene er åpne fra kl. 9 til 21 på valgdagen.",
        "Strøbilen kjører de bratteste bakkene først.",
        "Vi følger med på vannkvaliteten hver dag.",
        "Skolen har planleggingsdag fredag, og SFO er åpen som vanlig.",
        "Det er satt opp ekstra containere for hageavfall i mai.",
        "Ungdomsklubben holder åpent hver fredag fra kl. 18.",
        "Arbeidet med den nye gang- og sykkelveien starter etter påske.",
        "Kommunens sentralbord har telefon 78 45 50 00.",
        "Du finner mer informasjon på nettsiden vår.",
        "Saksbehandlingstiden er for tiden rundt seks uker.",
        "Vi har meldt feilen videre til entreprenøren.",
        "Takk for tålmodigheten mens vi jobber med saken.",
        "Mandag er det vanlig tømming igjen.",
    ],
    "nn": [
        "Brøytebilane har vore ute sidan klokka fire i natt.",
        "Tømminga av boss er forseinka denne veka på grunn av heilagdagane.",
        "Vatnet i Elvebakken blir stengt mellom 9 og 13 i morgon.",
        "Biblioteket har ope til kl. 20 på torsdagar.",
        "Symjehallen er stengd for reingjering i veke 33.",
        "Vi har sendt saka vidare til byggjesaksavdelinga.",
        "Fakturaen for kommunale avgifter blir send ut i februar.",
        "Barnehageopptaket for hausten er i gang.",
        "Gatelysa i bustadfeltet skal skiftast ut i løpet av hausten.",
        "Kulturskulen har påmelding fram til 15. april.",
        "Vegen ved skulen blir asfaltert i juni.",
        "Vi beklagar ulempene dette gir.",
        "Vi har fått mange spørsmål om dette den siste veka.",
        "Leikeplassen i parken får nye husker til sommaren.",
        "Helsestasjonen har drop-in for ungdom kvar tysdag.",
        "Strøbilen køyrer dei brattaste bakkane først.",
        "Vi følgjer med på vasskvaliteten kvar dag.",
        "Du finn meir informasjon på nettsida vår.",
        "Sakshandsamingstida er for tida rundt seks veker.",
        "Vi har meldt feilen vidare til entreprenøren.",
        "Takk for tolmodet medan vi arbeider med saka.",
        "Måndag er det vanleg tømming igjen.",
    ],
    "en": [
        "The snowploughs have been out since four this morning.",
        "Waste collection is a day late this week because of the holidays.",
        "The water in Elvebakken will be turned off between 9 and 13 tomorrow.",
        "The library is open until 8 pm on Thursdays.",
        "The swimming pool is closed for cleaning in week 33.",
        "We have passed your question on to the building department.",
        "Kindergarten admissions for the autumn are under way.",
        "The street lights in the housing estate will be replaced this autumn.",
        "The road by the school will be resurfaced in June.",
        "We're sorry for the inconvenience.",
        "We've had a lot of questions about this over the past week.",
        "You can find more information on our website.",
        "Processing currently takes about six weeks.",
        "We've reported the fault to the contractor.",
        "Thank you for your patience while we work on it.",
        "The health centre has a drop-in for young people every Tuesday.",
    ],
}
