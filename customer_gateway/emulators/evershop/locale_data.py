"""EverShop's static country and province lists (`lib/locale/countries.ts`, `provinces.ts`).

Generated from the EverShop 2.2.1 npm package; one "code|name" per line, in source order.
"""

from __future__ import annotations

from typing import Final

COUNTRY_LINES: Final = """\
AF|Afghanistan
AL|Albania
DZ|Algeria
AS|American Samoa
AD|Andorra
AO|Angola
AI|Anguilla
AQ|Antarctica
AG|Antigua and Barbuda
AR|Argentina
AM|Armenia
AW|Aruba
AU|Australia
AT|Austria
AZ|Azerbaijan
BS|Bahamas
BH|Bahrain
BD|Bangladesh
BB|Barbados
BY|Belarus
BE|Belgium
BZ|Belize
BJ|Benin
BM|Bermuda
BT|Bhutan
BO|Bolivia
BA|Bosnia and Herzegovina
BW|Botswana
BV|Bouvet Island
BR|Brazil
IO|British Indian Ocean Territory
VG|British Virgin Islands
BN|Brunei
BG|Bulgaria
BF|Burkina Faso
BI|Burundi
KH|Cambodia
CM|Cameroon
CA|Canada
CV|Cape Verde
KY|Cayman Islands
CF|Central African Republic
TD|Chad
CL|Chile
CN|China
CX|Christmas Island
CC|Cocos [Keeling] Islands
CO|Colombia
KM|Comoros
CG|Congo - Brazzaville
CD|Congo - Kinshasa
CK|Cook Islands
CR|Costa Rica
HR|Croatia
CU|Cuba
CY|Cyprus
CZ|Czech Republic
CI|Côte d’Ivoire
DK|Denmark
DJ|Djibouti
DM|Dominica
DO|Dominican Republic
EC|Ecuador
EG|Egypt
SV|El Salvador
GQ|Equatorial Guinea
ER|Eritrea
EE|Estonia
ET|Ethiopia
FK|Falkland Islands
FO|Faroe Islands
FJ|Fiji
FI|Finland
FR|France
GF|French Guiana
PF|French Polynesia
TF|French Southern Territories
GA|Gabon
GM|Gambia
GE|Georgia
DE|Germany
GH|Ghana
GI|Gibraltar
GR|Greece
GL|Greenland
GD|Grenada
GP|Guadeloupe
GU|Guam
GT|Guatemala
GG|Guernsey
GN|Guinea
GW|Guinea-Bissau
GY|Guyana
HT|Haiti
HM|Heard Island and McDonald Islands
HN|Honduras
HK|Hong Kong SAR China
HU|Hungary
IS|Iceland
IN|India
ID|Indonesia
IR|Iran
IQ|Iraq
IE|Ireland
IM|Isle of Man
IL|Israel
IT|Italy
JM|Jamaica
JP|Japan
JE|Jersey
JO|Jordan
KZ|Kazakhstan
KE|Kenya
KI|Kiribati
KW|Kuwait
KG|Kyrgyzstan
LA|Laos
LV|Latvia
LB|Lebanon
LS|Lesotho
LR|Liberia
LY|Libya
LI|Liechtenstein
LT|Lithuania
LU|Luxembourg
MO|Macau SAR China
MK|Macedonia
MG|Madagascar
MW|Malawi
MY|Malaysia
MV|Maldives
ML|Mali
MT|Malta
MH|Marshall Islands
MQ|Martinique
MR|Mauritania
MU|Mauritius
YT|Mayotte
MX|Mexico
FM|Micronesia
MD|Moldova
MC|Monaco
MN|Mongolia
ME|Montenegro
MS|Montserrat
MA|Morocco
MZ|Mozambique
MM|Myanmar [Burma]
NA|Namibia
NR|Nauru
NP|Nepal
NL|Netherlands
AN|Netherlands Antilles
NC|New Caledonia
NZ|New Zealand
NI|Nicaragua
NE|Niger
NG|Nigeria
NU|Niue
NF|Norfolk Island
KP|North Korea
MP|Northern Mariana Islands
NO|Norway
OM|Oman
PK|Pakistan
PW|Palau
PS|Palestinian Territories
PA|Panama
PG|Papua New Guinea
PY|Paraguay
PE|Peru
PH|Philippines
PN|Pitcairn Islands
PL|Poland
PT|Portugal
PR|Puerto Rico
QA|Qatar
RO|Romania
RU|Russia
RW|Rwanda
RE|Réunion
BL|Saint Barthélemy
SH|Saint Helena
KN|Saint Kitts and Nevis
LC|Saint Lucia
MF|Saint Martin
PM|Saint Pierre and Miquelon
VC|Saint Vincent and the Grenadines
WS|Samoa
SM|San Marino
SA|Saudi Arabia
SN|Senegal
RS|Serbia
SC|Seychelles
SL|Sierra Leone
SG|Singapore
SK|Slovakia
SI|Slovenia
SB|Solomon Islands
SO|Somalia
ZA|South Africa
GS|South Georgia and the South Sandwich Islands
KR|South Korea
ES|Spain
LK|Sri Lanka
SD|Sudan
SR|Suriname
SJ|Svalbard and Jan Mayen
SZ|Swaziland
SE|Sweden
CH|Switzerland
SY|Syria
ST|São Tomé and Príncipe
TW|Taiwan
TJ|Tajikistan
TZ|Tanzania
TH|Thailand
TL|Timor-Leste
TG|Togo
TK|Tokelau
TO|Tonga
TT|Trinidad and Tobago
TN|Tunisia
TR|Turkey
TM|Turkmenistan
TC|Turks and Caicos Islands
TV|Tuvalu
UM|U.S. Minor Outlying Islands
VI|U.S. Virgin Islands
UG|Uganda
UA|Ukraine
AE|United Arab Emirates
GB|United Kingdom
US|United States
UY|Uruguay
UZ|Uzbekistan
VU|Vanuatu
VA|Vatican City
VE|Venezuela
VN|Vietnam
WF|Wallis and Futuna
EH|Western Sahara
YE|Yemen
ZM|Zambia
ZW|Zimbabwe
AX|Åland Islands
"""

# A province code always starts with its country code and a dash ("CZ-10").
PROVINCE_LINES: Final = """\
AD-07|Andorra la Vella
AD-02|Canillo
AD-03|Encamp
AD-08|Escaldes-Engordany
AD-04|La Massana
AD-05|Ordino
AD-06|Sant Julia de Loria
AE-AJ|'Ajman
AE-AZ|Abu Zaby
AE-FU|Al Fujayrah
AE-SH|Ash Shariqah
AE-DU|Dubayy
AE-RK|Ra's al Khaymah
AE-UQ|Umm al Qaywayn
AF-BDS|Badakhshan
AF-BDG|Badghis
AF-BGL|Baghlan
AF-BAL|Balkh
AF-BAM|Bamyan
AF-DAY|Daykundi
AF-FRA|Farah
AF-FYB|Faryab
AF-GHA|Ghazni
AF-GHO|Ghor
AF-HEL|Helmand
AF-HER|Herat
AF-JOW|Jowzjan
AF-KAB|Kabul
AF-KAN|Kandahar
AF-KAP|Kapisa
AF-KHO|Khost
AF-KNR|Kunar
AF-KDZ|Kunduz
AF-LAG|Laghman
AF-LOG|Logar
AF-NAN|Nangarhar
AF-NIM|Nimroz
AF-NUR|Nuristan
AF-PKA|Paktika
AF-PIA|Paktiya
AF-PAN|Panjshayr
AF-PAR|Parwan
AF-SAM|Samangan
AF-SAR|Sar-e Pul
AF-TAK|Takhar
AF-URU|Uruzgan
AF-WAR|Wardak
AF-ZAB|Zabul
AG-04|Saint John
AG-05|Saint Mary
AG-06|Saint Paul
AL-01|Berat
AL-09|Diber
AL-02|Durres
AL-03|Elbasan
AL-04|Fier
AL-05|Gjirokaster
AL-06|Korce
AL-07|Kukes
AL-08|Lezhe
AL-10|Shkoder
AL-11|Tirane
AL-12|Vlore
AM-AG|Aragacotn
AM-AR|Ararat
AM-AV|Armavir
AM-ER|Erevan
AM-GR|Gegark'unik'
AM-KT|Kotayk'
AM-LO|Lori
AM-SH|Sirak
AM-SU|Syunik'
AM-TV|Tavus
AM-VD|Vayoc Jor
AO-BGO|Bengo
AO-BGU|Benguela
AO-BIE|Bie
AO-CAB|Cabinda
AO-CNN|Cunene
AO-HUA|Huambo
AO-HUI|Huila
AO-CCU|Kuando Kubango
AO-CNO|Kwanza Norte
AO-CUS|Kwanza Sul
AO-LUA|Luanda
AO-LNO|Lunda Norte
AO-LSU|Lunda Sul
AO-MAL|Malange
AO-MOX|Moxico
AO-NAM|Namibe
AO-UIG|Uige
AO-ZAI|Zaire
AR-B|Buenos Aires
AR-K|Catamarca
AR-H|Chaco
AR-U|Chubut
AR-C|Ciudad Autonoma de Buenos Aires
AR-X|Cordoba
AR-W|Corrientes
AR-E|Entre Rios
AR-P|Formosa
AR-Y|Jujuy
AR-L|La Pampa
AR-F|La Rioja
AR-M|Mendoza
AR-N|Misiones
AR-Q|Neuquen
AR-R|Rio Negro
AR-A|Salta
AR-J|San Juan
AR-D|San Luis
AR-Z|Santa Cruz
AR-S|Santa Fe
AR-G|Santiago del Estero
AR-V|Tierra del Fuego
AR-T|Tucuman
AT-1|Burgenland
AT-2|Karnten
AT-3|Niederosterreich
AT-4|Oberosterreich
AT-5|Salzburg
AT-6|Steiermark
AT-7|Tirol
AT-8|Vorarlberg
AT-9|Wien
AU-ACT|Australian Capital Territory
AU-NSW|New South Wales
AU-NT|Northern Territory
AU-QLD|Queensland
AU-SA|South Australia
AU-TAS|Tasmania
AU-VIC|Victoria
AU-WA|Western Australia
AZ-ABS|Abseron
AZ-AGC|Agcabadi
AZ-AGM|Agdam
AZ-AGS|Agdas
AZ-AGA|Agstafa
AZ-AGU|Agsu
AZ-AST|Astara
AZ-BA|Baki
AZ-BAL|Balakan
AZ-BAR|Barda
AZ-BEY|Beylaqan
AZ-BIL|Bilasuvar
AZ-CAB|Cabrayil
AZ-CAL|Calilabad
AZ-DAS|Daskasan
AZ-FUZ|Fuzuli
AZ-GAD|Gadabay
AZ-GA|Ganca
AZ-GOR|Goranboy
AZ-GOY|Goycay
AZ-GYG|Goygol
AZ-HAC|Haciqabul
AZ-IMI|Imisli
AZ-ISM|Ismayilli
AZ-KAL|Kalbacar
AZ-LAC|Lacin
AZ-LA|Lankaran
AZ-LER|Lerik
AZ-MAS|Masalli
AZ-MI|Mingacevir
AZ-NA|Naftalan
AZ-NX|Naxcivan
AZ-NEF|Neftcala
AZ-OGU|Oguz
AZ-QAB|Qabala
AZ-QAX|Qax
AZ-QAZ|Qazax
AZ-QOB|Qobustan
AZ-QBA|Quba
AZ-QBI|Qubadli
AZ-QUS|Qusar
AZ-SAT|Saatli
AZ-SAB|Sabirabad
AZ-SA|Saki
AZ-SAL|Salyan
AZ-SMI|Samaxi
AZ-SKR|Samkir
AZ-SMX|Samux
AZ-SR|Sirvan
AZ-SM|Sumqayit
AZ-SUS|Susa
AZ-TAR|Tartar
AZ-TOV|Tovuz
AZ-UCA|Ucar
AZ-XAC|Xacmaz
AZ-XA|Xankandi
AZ-XIZ|Xizi
AZ-XCI|Xocali
AZ-XVD|Xocavand
AZ-YAR|Yardimli
AZ-YE|Yevlax
AZ-ZAN|Zangilan
AZ-ZAQ|Zaqatala
AZ-ZAR|Zardab
BA-BIH|Federacija Bosne i Hercegovine
BA-SRP|Republika Srpska
BB-01|Christ Church
BB-04|Saint James
BB-06|Saint Joseph
BB-08|Saint Michael
BB-09|Saint Peter
BD-06|Barisal
BD-10|Chittagong
BD-13|Dhaka
BD-27|Khulna
BD-54|Rajshahi
BD-55|Rangpur
BD-60|Sylhet
BE-VAN|Antwerpen
BE-WBR|Brabant wallon
BE-BRU|Brussels Hoofdstedelijk Gewest
BE-WHT|Hainaut
BE-WLG|Liege
BE-VLI|Limburg
BE-WLX|Luxembourg
BE-WNA|Namur
BE-VOV|Oost-Vlaanderen
BE-VBR|Vlaams-Brabant
BE-VWV|West-Vlaanderen
BF-BAL|Bale
BF-BAM|Bam
BF-BAN|Banwa
BF-BAZ|Bazega
BF-BGR|Bougouriba
BF-BLG|Boulgou
BF-BLK|Boulkiemde
BF-COM|Comoe
BF-GAN|Ganzourgou
BF-GNA|Gnagna
BF-GOU|Gourma
BF-HOU|Houet
BF-IOB|Ioba
BF-KAD|Kadiogo
BF-KEN|Kenedougou
BF-KMD|Komondjari
BF-KMP|Kompienga
BF-KOS|Kossi
BF-KOP|Koulpelogo
BF-KOT|Kouritenga
BF-KOW|Kourweogo
BF-LER|Leraba
BF-LOR|Loroum
BF-MOU|Mouhoun
BF-NAO|Nahouri
BF-NAM|Namentenga
BF-NAY|Nayala
BF-NOU|Noumbiel
BF-OUB|Oubritenga
BF-OUD|Oudalan
BF-PAS|Passore
BF-PON|Poni
BF-SNG|Sanguie
BF-SMT|Sanmatenga
BF-SEN|Seno
BF-SIS|Sissili
BF-SOM|Soum
BF-SOR|Sourou
BF-TAP|Tapoa
BF-TUI|Tuy
BF-YAG|Yagha
BF-YAT|Yatenga
BF-ZIR|Ziro
BF-ZON|Zondoma
BF-ZOU|Zoundweogo
BG-01|Blagoevgrad
BG-02|Burgas
BG-08|Dobrich
BG-07|Gabrovo
BG-26|Haskovo
BG-09|Kardzhali
BG-10|Kyustendil
BG-11|Lovech
BG-12|Montana
BG-13|Pazardzhik
BG-14|Pernik
BG-15|Pleven
BG-16|Plovdiv
BG-17|Razgrad
BG-18|Ruse
BG-27|Shumen
BG-19|Silistra
BG-20|Sliven
BG-21|Smolyan
BG-23|Sofia
BG-22|Sofia (stolitsa)
BG-24|Stara Zagora
BG-25|Targovishte
BG-03|Varna
BG-04|Veliko Tarnovo
BG-05|Vidin
BG-06|Vratsa
BG-28|Yambol
BH-13|Al 'Asimah
BH-15|Al Muharraq
BH-17|Ash Shamaliyah
BI-BB|Bubanza
BI-BM|Bujumbura Mairie
BI-BR|Bururi
BI-CA|Cankuzo
BI-CI|Cibitoke
BI-GI|Gitega
BI-KR|Karuzi
BI-KY|Kayanza
BI-KI|Kirundo
BI-MA|Makamba
BI-MU|Muramvya
BI-MY|Muyinga
BI-MW|Mwaro
BI-NG|Ngozi
BI-RT|Rutana
BI-RY|Ruyigi
BJ-AL|Alibori
BJ-AK|Atacora
BJ-AQ|Atlantique
BJ-BO|Borgou
BJ-CO|Collines
BJ-KO|Couffo
BJ-DO|Donga
BJ-LI|Littoral
BJ-MO|Mono
BJ-OU|Oueme
BJ-PL|Plateau
BJ-ZO|Zou
BN-BE|Belait
BN-BM|Brunei-Muara
BN-TE|Temburong
BN-TU|Tutong
BO-H|Chuquisaca
BO-C|Cochabamba
BO-B|El Beni
BO-L|La Paz
BO-O|Oruro
BO-N|Pando
BO-P|Potosi
BO-S|Santa Cruz
BO-T|Tarija
BQ-BO|Bonaire
BQ-SA|Saba
BQ-SE|Sint Eustatius
BR-AC|Acre
BR-AL|Alagoas
BR-AP|Amapa
BR-AM|Amazonas
BR-BA|Bahia
BR-CE|Ceara
BR-DF|Distrito Federal
BR-ES|Espirito Santo
BR-GO|Goias
BR-MA|Maranhao
BR-MT|Mato Grosso
BR-MS|Mato Grosso do Sul
BR-MG|Minas Gerais
BR-PA|Para
BR-PB|Paraiba
BR-PR|Parana
BR-PE|Pernambuco
BR-PI|Piaui
BR-RJ|Rio de Janeiro
BR-RN|Rio Grande do Norte
BR-RS|Rio Grande do Sul
BR-RO|Rondonia
BR-RR|Roraima
BR-SC|Santa Catarina
BR-SP|Sao Paulo
BR-SE|Sergipe
BR-TO|Tocantins
BS-CS|Central Andros
BS-FP|City of Freeport
BS-EG|East Grand Bahama
BS-HI|Harbour Island
BS-HT|Hope Town
BS-LI|Long Island
BS-SE|South Eleuthera
BT-12|Chhukha
BT-22|Dagana
BT-GA|Gasa
BT-13|Haa
BT-42|Monggar
BT-11|Paro
BT-23|Punakha
BT-15|Thimphu
BT-TY|Trashi Yangtse
BT-32|Trongsa
BT-34|Zhemgang
BW-CE|Central
BW-GH|Ghanzi
BW-KG|Kgalagadi
BW-KL|Kgatleng
BW-KW|Kweneng
BW-NE|North East
BW-NW|North West
BW-SE|South East
BW-SO|Southern
BY-BR|Brestskaya voblasts'
BY-HO|Homyel'skaya voblasts'
BY-HR|Hrodzenskaya voblasts'
BY-MA|Mahilyowskaya voblasts'
BY-MI|Minskaya voblasts'
BY-VI|Vitsyebskaya voblasts'
BZ-BZ|Belize
BZ-CY|Cayo
BZ-CZL|Corozal
BZ-OW|Orange Walk
BZ-SC|Stann Creek
BZ-TOL|Toledo
CA-AB|Alberta
CA-BC|British Columbia
CA-MB|Manitoba
CA-NB|New Brunswick
CA-NL|Newfoundland and Labrador
CA-NT|Northwest Territories
CA-NS|Nova Scotia
CA-NU|Nunavut
CA-ON|Ontario
CA-PE|Prince Edward Island
CA-QC|Quebec
CA-SK|Saskatchewan
CA-YT|Yukon
CD-BU|Bas-Uele
CD-EQ|Equateur
CD-HK|Haut-Katanga
CD-HL|Haut-Lomani
CD-HU|Haut-Uele
CD-IT|Ituri
CD-KS|Kasai
CD-KC|Kasai Central
CD-KE|Kasai Oriental
CD-KN|Kinshasa
CD-BC|Kongo Central
CD-KG|Kwango
CD-KL|Kwilu
CD-LO|Lomami
CD-LU|Lualaba
CD-MN|Mai-Ndombe
CD-MA|Maniema
CD-MO|Mongala
CD-NK|Nord-Kivu
CD-NU|Nord-Ubangi
CD-SA|Sankuru
CD-SK|Sud-Kivu
CD-SU|Sud-Ubangi
CD-TA|Tanganyika
CD-TO|Tshopo
CD-TU|Tshuapa
CF-BB|Bamingui-Bangoran
CF-BGF|Bangui
CF-BK|Basse-Kotto
CF-KB|Gribingui
CF-HM|Haut-Mbomou
CF-HK|Haute-Kotto
CF-KG|Kemo-Gribingui
CF-LB|Lobaye
CF-HS|Mambere-Kadei
CF-MB|Mbomou
CF-NM|Nana-Mambere
CF-MP|Ombella-Mpoko
CF-UK|Ouaka
CF-AC|Ouham
CF-OP|Ouham-Pende
CF-SE|Sangha
CG-11|Bouenza
CG-BZV|Brazzaville
CG-8|Cuvette
CG-15|Cuvette-Ouest
CG-2|Lekoumou
CG-7|Likouala
CG-9|Niari
CG-14|Plateaux
CG-16|Pointe-Noire
CG-12|Pool
CG-13|Sangha
CH-AG|Aargau
CH-AR|Appenzell Ausserrhoden
CH-AI|Appenzell Innerrhoden
CH-BL|Basel-Landschaft
CH-BS|Basel-Stadt
CH-BE|Bern
CH-FR|Fribourg
CH-GE|Geneve
CH-GL|Glarus
CH-GR|Graubunden
CH-JU|Jura
CH-LU|Luzern
CH-NE|Neuchatel
CH-NW|Nidwalden
CH-OW|Obwalden
CH-SG|Sankt Gallen
CH-SH|Schaffhausen
CH-SZ|Schwyz
CH-SO|Solothurn
CH-TG|Thurgau
CH-TI|Ticino
CH-UR|Uri
CH-VS|Valais
CH-VD|Vaud
CH-ZG|Zug
CH-ZH|Zurich
CI-AB|Abidjan
CI-BS|Bas-Sassandra
CI-CM|Comoe
CI-DN|Denguele
CI-GD|Goh-Djiboua
CI-LC|Lacs
CI-LG|Lagunes
CI-MG|Montagnes
CI-SM|Sassandra-Marahoue
CI-SV|Savanes
CI-VB|Vallee du Bandama
CI-WR|Woroba
CI-ZZ|Zanzan
CL-AI|Aisen del General Carlos Ibanez del Campo
CL-AN|Antofagasta
CL-AP|Arica y Parinacota
CL-AT|Atacama
CL-BI|Biobio
CL-CO|Coquimbo
CL-AR|La Araucania
CL-LI|Libertador General Bernardo O'Higgins
CL-LL|Los Lagos
CL-LR|Los Rios
CL-MA|Magallanes
CL-ML|Maule
CL-RM|Region Metropolitana de Santiago
CL-TA|Tarapaca
CL-VS|Valparaiso
CM-AD|Adamaoua
CM-CE|Centre
CM-ES|Est
CM-EN|Extreme-Nord
CM-LT|Littoral
CM-NO|Nord
CM-NW|Nord-Ouest
CM-OU|Ouest
CM-SU|Sud
CM-SW|Sud-Ouest
CN-34|Anhui
CN-11|Beijing
CN-50|Chongqing
CN-35|Fujian
CN-62|Gansu
CN-44|Guangdong
CN-45|Guangxi
CN-52|Guizhou
CN-46|Hainan
CN-13|Hebei
CN-23|Heilongjiang
CN-41|Henan
CN-42|Hubei
CN-43|Hunan
CN-32|Jiangsu
CN-36|Jiangxi
CN-22|Jilin
CN-21|Liaoning
CN-15|Nei Mongol
CN-64|Ningxia
CN-63|Qinghai
CN-61|Shaanxi
CN-37|Shandong
CN-31|Shanghai
CN-14|Shanxi
CN-51|Sichuan
CN-12|Tianjin
CN-65|Xinjiang
CN-54|Xizang
CN-53|Yunnan
CN-33|Zhejiang
CO-AMA|Amazonas
CO-ANT|Antioquia
CO-ARA|Arauca
CO-ATL|Atlantico
CO-BOL|Bolivar
CO-BOY|Boyaca
CO-CAL|Caldas
CO-CAQ|Caqueta
CO-CAS|Casanare
CO-CAU|Cauca
CO-CES|Cesar
CO-CHO|Choco
CO-COR|Cordoba
CO-CUN|Cundinamarca
CO-DC|Distrito Capital de Bogota
CO-GUA|Guainia
CO-GUV|Guaviare
CO-HUI|Huila
CO-LAG|La Guajira
CO-MAG|Magdalena
CO-MET|Meta
CO-NAR|Narino
CO-NSA|Norte de Santander
CO-PUT|Putumayo
CO-QUI|Quindio
CO-RIS|Risaralda
CO-SAP|San Andres, Providencia y Santa Catalina
CO-SAN|Santander
CO-SUC|Sucre
CO-TOL|Tolima
CO-VAC|Valle del Cauca
CO-VAU|Vaupes
CO-VID|Vichada
CR-A|Alajuela
CR-C|Cartago
CR-G|Guanacaste
CR-H|Heredia
CR-L|Limon
CR-P|Puntarenas
CR-SJ|San Jose
CU-15|Artemisa
CU-09|Camaguey
CU-08|Ciego de Avila
CU-06|Cienfuegos
CU-12|Granma
CU-14|Guantanamo
CU-11|Holguin
CU-99|Isla de la Juventud
CU-03|La Habana
CU-10|Las Tunas
CU-04|Matanzas
CU-16|Mayabeque
CU-01|Pinar del Rio
CU-07|Sancti Spiritus
CU-13|Santiago de Cuba
CU-05|Villa Clara
CV-BV|Boa Vista
CV-BR|Brava
CV-MA|Maio
CV-MO|Mosteiros
CV-PA|Paul
CV-PN|Porto Novo
CV-PR|Praia
CV-RB|Ribeira Brava
CV-RG|Ribeira Grande
CV-RS|Ribeira Grande de Santiago
CV-SL|Sal
CV-CA|Santa Catarina
CV-CF|Santa Catarina do Fogo
CV-CR|Santa Cruz
CV-SD|Sao Domingos
CV-SF|Sao Filipe
CV-SM|Sao Miguel
CV-SS|Sao Salvador do Mundo
CV-SV|Sao Vicente
CV-TA|Tarrafal
CV-TS|Tarrafal de Sao Nicolau
CY-04|Ammochostos
CY-06|Keryneia
CY-03|Larnaka
CY-01|Lefkosia
CY-02|Lemesos
CY-05|Pafos
CZ-JC|Jihocesky kraj
CZ-JM|Jihomoravsky kraj
CZ-KA|Karlovarsky kraj
CZ-63|Kraj Vysocina
CZ-KR|Kralovehradecky kraj
CZ-LI|Liberecky kraj
CZ-MO|Moravskoslezsky kraj
CZ-OL|Olomoucky kraj
CZ-PA|Pardubicky kraj
CZ-PL|Plzensky kraj
CZ-10|Praha, Hlavni mesto
CZ-ST|Stredocesky kraj
CZ-US|Ustecky kraj
CZ-ZL|Zlinsky kraj
DE-BW|Baden-Wurttemberg
DE-BY|Bayern
DE-BE|Berlin
DE-BB|Brandenburg
DE-HB|Bremen
DE-HH|Hamburg
DE-HE|Hessen
DE-MV|Mecklenburg-Vorpommern
DE-NI|Niedersachsen
DE-NW|Nordrhein-Westfalen
DE-RP|Rheinland-Pfalz
DE-SL|Saarland
DE-SN|Sachsen
DE-ST|Sachsen-Anhalt
DE-SH|Schleswig-Holstein
DE-TH|Thuringen
DJ-AS|Ali Sabieh
DJ-AR|Arta
DJ-DI|Dikhil
DJ-DJ|Djibouti
DJ-OB|Obock
DJ-TA|Tadjourah
DK-84|Hovedstaden
DK-82|Midtjylland
DK-81|Nordjylland
DK-85|Sjelland
DK-83|Syddanmark
DM-02|Saint Andrew
DM-03|Saint David
DM-04|Saint George
DM-05|Saint John
DM-06|Saint Joseph
DM-07|Saint Luke
DM-08|Saint Mark
DM-09|Saint Patrick
DM-10|Saint Paul
DO-02|Azua
DO-03|Baoruco
DO-04|Barahona
DO-05|Dajabon
DO-01|Distrito Nacional (Santo Domingo)
DO-06|Duarte
DO-08|El Seibo
DO-07|Elias Pina
DO-09|Espaillat
DO-30|Hato Mayor
DO-19|Hermanas Mirabal
DO-10|Independencia
DO-11|La Altagracia
DO-12|La Romana
DO-13|La Vega
DO-14|Maria Trinidad Sanchez
DO-28|Monsenor Nouel
DO-15|Monte Cristi
DO-29|Monte Plata
DO-16|Pedernales
DO-17|Peravia
DO-18|Puerto Plata
DO-20|Samana
DO-21|San Cristobal
DO-22|San Juan
DO-23|San Pedro de Macoris
DO-24|Sanchez Ramirez
DO-25|Santiago
DO-26|Santiago Rodriguez
DO-27|Valverde
DZ-01|Adrar
DZ-44|Ain Defla
DZ-46|Ain Temouchent
DZ-16|Alger
DZ-23|Annaba
DZ-05|Batna
DZ-08|Bechar
DZ-06|Bejaia
DZ-07|Biskra
DZ-09|Blida
DZ-34|Bordj Bou Arreridj
DZ-10|Bouira
DZ-35|Boumerdes
DZ-02|Chlef
DZ-25|Constantine
DZ-17|Djelfa
DZ-32|El Bayadh
DZ-39|El Oued
DZ-36|El Tarf
DZ-47|Ghardaia
DZ-24|Guelma
DZ-33|Illizi
DZ-40|Khenchela
DZ-03|Laghouat
DZ-28|M'sila
DZ-29|Mascara
DZ-26|Medea
DZ-43|Mila
DZ-27|Mostaganem
DZ-45|Naama
DZ-31|Oran
DZ-30|Ouargla
DZ-04|Oum el Bouaghi
DZ-48|Relizane
DZ-20|Saida
DZ-19|Setif
DZ-22|Sidi Bel Abbes
DZ-21|Skikda
DZ-41|Souk Ahras
DZ-11|Tamanrasset
DZ-12|Tebessa
DZ-14|Tiaret
DZ-37|Tindouf
DZ-42|Tipaza
DZ-38|Tissemsilt
DZ-15|Tizi Ouzou
DZ-13|Tlemcen
EC-A|Azuay
EC-B|Bolivar
EC-F|Canar
EC-C|Carchi
EC-H|Chimborazo
EC-X|Cotopaxi
EC-O|El Oro
EC-E|Esmeraldas
EC-W|Galapagos
EC-G|Guayas
EC-I|Imbabura
EC-L|Loja
EC-R|Los Rios
EC-M|Manabi
EC-S|Morona-Santiago
EC-N|Napo
EC-D|Orellana
EC-Y|Pastaza
EC-P|Pichincha
EC-SE|Santa Elena
EC-U|Sucumbios
EC-T|Tungurahua
EC-Z|Zamora-Chinchipe
EE-37|Harjumaa
EE-39|Hiiumaa
EE-44|Ida-Virumaa
EE-51|Jarvamaa
EE-49|Jogevamaa
EE-59|Laane-Virumaa
EE-57|Laanemaa
EE-67|Parnumaa
EE-65|Polvamaa
EE-70|Raplamaa
EE-74|Saaremaa
EE-78|Tartumaa
EE-82|Valgamaa
EE-84|Viljandimaa
EE-86|Vorumaa
EG-DK|Ad Daqahliyah
EG-BA|Al Bahr al Ahmar
EG-BH|Al Buhayrah
EG-FYM|Al Fayyum
EG-GH|Al Gharbiyah
EG-ALX|Al Iskandariyah
EG-IS|Al Isma'iliyah
EG-GZ|Al Jizah
EG-MNF|Al Minufiyah
EG-MN|Al Minya
EG-C|Al Qahirah
EG-KB|Al Qalyubiyah
EG-LX|Al Uqsur
EG-WAD|Al Wadi al Jadid
EG-SUZ|As Suways
EG-SHR|Ash Sharqiyah
EG-ASN|Aswan
EG-AST|Asyut
EG-BNS|Bani Suwayf
EG-PTS|Bur Sa'id
EG-DT|Dumyat
EG-JS|Janub Sina'
EG-KFS|Kafr ash Shaykh
EG-MT|Matruh
EG-KN|Qina
EG-SIN|Shamal Sina'
EG-SHG|Suhaj
ER-MA|Al Awsat
ER-DU|Al Janubi
ER-AN|Ansaba
ER-DK|Janubi al Bahri al Ahmar
ER-GB|Qash-Barkah
ER-SK|Shimali al Bahri al Ahmar
ES-AN|Andalucia
ES-AR|Aragon
ES-AS|Asturias, Principado de
ES-CN|Canarias
ES-CB|Cantabria
ES-CL|Castilla y Leon
ES-CM|Castilla-La Mancha
ES-CT|Catalunya
ES-CE|Ceuta
ES-EX|Extremadura
ES-GA|Galicia
ES-IB|Illes Balears
ES-RI|La Rioja
ES-MD|Madrid, Comunidad de
ES-ML|Melilla
ES-MC|Murcia, Region de
ES-NC|Navarra, Comunidad Foral de
ES-PV|Pais Vasco
ES-VC|Valenciana, Comunidad
ET-AA|Adis Abeba
ET-AF|Afar
ET-AM|Amara
ET-BE|Binshangul Gumuz
ET-DD|Dire Dawa
ET-GA|Gambela Hizboch
ET-HA|Hareri Hizb
ET-OR|Oromiya
ET-SO|Sumale
ET-TI|Tigray
ET-SN|YeDebub Biheroch Bihereseboch na Hizboch
FI-02|Etela-Karjala
FI-03|Etela-Pohjanmaa
FI-04|Etela-Savo
FI-05|Kainuu
FI-06|Kanta-Hame
FI-07|Keski-Pohjanmaa
FI-08|Keski-Suomi
FI-09|Kymenlaakso
FI-10|Lappi
FI-16|Paijat-Hame
FI-11|Pirkanmaa
FI-12|Pohjanmaa
FI-13|Pohjois-Karjala
FI-14|Pohjois-Pohjanmaa
FI-15|Pohjois-Savo
FI-17|Satakunta
FI-18|Uusimaa
FI-19|Varsinais-Suomi
FJ-C|Central
FJ-N|Northern
FJ-W|Western
FM-TRK|Chuuk
FM-KSA|Kosrae
FM-PNI|Pohnpei
FM-YAP|Yap
FR-ARA|Auvergne-Rhone-Alpes
FR-BFC|Bourgogne-Franche-Comte
FR-E|Bretagne
FR-CVL|Centre-Val de Loire
FR-H|Corse
FR-GES|Grand-Est
FR-HDF|Hauts-de-France
FR-J|Ile-de-France
FR-NOR|Normandie
FR-NAQ|Nouvelle-Aquitaine
FR-OCC|Occitanie
FR-R|Pays-de-la-Loire
FR-PAC|Provence-Alpes-Cote d'Azur
GA-1|Estuaire
GA-2|Haut-Ogooue
GA-3|Moyen-Ogooue
GA-4|Ngounie
GA-5|Nyanga
GA-6|Ogooue-Ivindo
GA-7|Ogooue-Lolo
GA-8|Ogooue-Maritime
GA-9|Woleu-Ntem
GB-ENG|England
GB-NIR|Northern Ireland
GB-SCT|Scotland
GB-WLS|Wales
GD-01|Saint Andrew
GD-02|Saint David
GD-03|Saint George
GD-04|Saint John
GD-05|Saint Mark
GD-06|Saint Patrick
GE-AB|Abkhazia
GE-AJ|Ajaria
GE-GU|Guria
GE-IM|Imereti
GE-KA|K'akheti
GE-KK|Kvemo Kartli
GE-MM|Mtskheta-Mtianeti
GE-RL|Rach'a-Lechkhumi-Kvemo Svaneti
GE-SZ|Samegrelo-Zemo Svaneti
GE-SJ|Samtskhe-Javakheti
GE-SK|Shida Kartli
GE-TB|Tbilisi
GH-AH|Ashanti
GH-BA|Brong-Ahafo
GH-CP|Central
GH-EP|Eastern
GH-AA|Greater Accra
GH-NP|Northern
GH-UE|Upper East
GH-UW|Upper West
GH-TV|Volta
GH-WP|Western
GL-KU|Kommune Kujalleq
GL-SM|Kommuneqarfik Sermersooq
GL-QA|Qaasuitsup Kommunia
GL-QE|Qeqqata Kommunia
GM-B|Banjul
GM-M|Central River
GM-L|Lower River
GM-N|North Bank
GM-U|Upper River
GM-W|Western
GN-BE|Beyla
GN-BF|Boffa
GN-B|Boke
GN-C|Conakry
GN-CO|Coyah
GN-DB|Dabola
GN-DL|Dalaba
GN-DI|Dinguiraye
GN-DU|Dubreka
GN-F|Faranah
GN-FO|Forecariah
GN-FR|Fria
GN-GA|Gaoual
GN-GU|Guekedou
GN-K|Kankan
GN-KE|Kerouane
GN-D|Kindia
GN-KS|Kissidougou
GN-KB|Koubia
GN-KN|Koundara
GN-KO|Kouroussa
GN-L|Labe
GN-LE|Lelouma
GN-LO|Lola
GN-MC|Macenta
GN-ML|Mali
GN-M|Mamou
GN-MD|Mandiana
GN-N|Nzerekore
GN-PI|Pita
GN-SI|Siguiri
GN-TE|Telimele
GN-TO|Tougue
GN-YO|Yomou
GQ-AN|Annobon
GQ-BN|Bioko Norte
GQ-BS|Bioko Sur
GQ-CS|Centro Sur
GQ-KN|Kie-Ntem
GQ-LI|Litoral
GQ-WN|Wele-Nzas
GR-A|Anatoliki Makedonia kai Thraki
GR-I|Attiki
GR-G|Dytiki Ellada
GR-C|Dytiki Makedonia
GR-F|Ionia Nisia
GR-D|Ipeiros
GR-B|Kentriki Makedonia
GR-M|Kriti
GR-L|Notio Aigaio
GR-J|Peloponnisos
GR-H|Sterea Ellada
GR-E|Thessalia
GR-K|Voreio Aigaio
GT-AV|Alta Verapaz
GT-BV|Baja Verapaz
GT-CM|Chimaltenango
GT-CQ|Chiquimula
GT-PR|El Progreso
GT-ES|Escuintla
GT-GU|Guatemala
GT-HU|Huehuetenango
GT-IZ|Izabal
GT-JA|Jalapa
GT-JU|Jutiapa
GT-PE|Peten
GT-QZ|Quetzaltenango
GT-QC|Quiche
GT-RE|Retalhuleu
GT-SA|Sacatepequez
GT-SM|San Marcos
GT-SR|Santa Rosa
GT-SO|Solola
GT-SU|Suchitepequez
GT-TO|Totonicapan
GT-ZA|Zacapa
GW-BA|Bafata
GW-BM|Biombo
GW-BS|Bissau
GW-BL|Bolama
GW-CA|Cacheu
GW-GA|Gabu
GW-OI|Oio
GW-QU|Quinara
GW-TO|Tombali
GY-CU|Cuyuni-Mazaruni
GY-DE|Demerara-Mahaica
GY-EB|East Berbice-Corentyne
GY-ES|Essequibo Islands-West Demerara
GY-MA|Mahaica-Berbice
GY-PM|Pomeroon-Supenaam
GY-UD|Upper Demerara-Berbice
HN-AT|Atlantida
HN-CH|Choluteca
HN-CL|Colon
HN-CM|Comayagua
HN-CP|Copan
HN-CR|Cortes
HN-EP|El Paraiso
HN-FM|Francisco Morazan
HN-GD|Gracias a Dios
HN-IN|Intibuca
HN-IB|Islas de la Bahia
HN-LP|La Paz
HN-LE|Lempira
HN-OC|Ocotepeque
HN-OL|Olancho
HN-SB|Santa Barbara
HN-VA|Valle
HN-YO|Yoro
HR-07|Bjelovarsko-bilogorska zupanija
HR-12|Brodsko-posavska zupanija
HR-19|Dubrovacko-neretvanska zupanija
HR-21|Grad Zagreb
HR-18|Istarska zupanija
HR-04|Karlovacka zupanija
HR-06|Koprivnicko-krizevacka zupanija
HR-02|Krapinsko-zagorska zupanija
HR-09|Licko-senjska zupanija
HR-20|Medimurska zupanija
HR-14|Osjecko-baranjska zupanija
HR-11|Pozesko-slavonska zupanija
HR-08|Primorsko-goranska zupanija
HR-15|Sibensko-kninska zupanija
HR-03|Sisacko-moslavacka zupanija
HR-17|Splitsko-dalmatinska zupanija
HR-05|Varazdinska zupanija
HR-10|Viroviticko-podravska zupanija
HR-16|Vukovarsko-srijemska zupanija
HR-13|Zadarska zupanija
HR-01|Zagrebacka zupanija
HT-AR|Artibonite
HT-CE|Centre
HT-GA|Grande'Anse
HT-NI|Nippes
HT-ND|Nord
HT-NE|Nord-Est
HT-NO|Nord-Ouest
HT-OU|Ouest
HT-SD|Sud
HT-SE|Sud-Est
HU-BK|Bacs-Kiskun
HU-BA|Baranya
HU-BE|Bekes
HU-BZ|Borsod-Abauj-Zemplen
HU-BU|Budapest
HU-CS|Csongrad
HU-FE|Fejer
HU-GS|Gyor-Moson-Sopron
HU-HB|Hajdu-Bihar
HU-HE|Heves
HU-JN|Jasz-Nagykun-Szolnok
HU-KE|Komarom-Esztergom
HU-NO|Nograd
HU-PE|Pest
HU-SO|Somogy
HU-SZ|Szabolcs-Szatmar-Bereg
HU-TO|Tolna
HU-VA|Vas
HU-VM|Veszprem
HU-ZA|Zala
ID-AC|Aceh
ID-BA|Bali
ID-BT|Banten
ID-BE|Bengkulu
ID-GO|Gorontalo
ID-JK|Jakarta Raya
ID-JA|Jambi
ID-JB|Jawa Barat
ID-JT|Jawa Tengah
ID-JI|Jawa Timur
ID-KB|Kalimantan Barat
ID-KS|Kalimantan Selatan
ID-KT|Kalimantan Tengah
ID-KI|Kalimantan Timur
ID-BB|Kepulauan Bangka Belitung
ID-KR|Kepulauan Riau
ID-LA|Lampung
ID-ML|Maluku
ID-MU|Maluku Utara
ID-NB|Nusa Tenggara Barat
ID-NT|Nusa Tenggara Timur
ID-PP|Papua
ID-PB|Papua Barat
ID-RI|Riau
ID-SR|Sulawesi Barat
ID-SN|Sulawesi Selatan
ID-ST|Sulawesi Tengah
ID-SG|Sulawesi Tenggara
ID-SA|Sulawesi Utara
ID-SB|Sumatera Barat
ID-SS|Sumatera Selatan
ID-SU|Sumatera Utara
ID-YO|Yogyakarta
IE-CW|Carlow
IE-CN|Cavan
IE-CE|Clare
IE-CO|Cork
IE-DL|Donegal
IE-D|Dublin
IE-G|Galway
IE-KY|Kerry
IE-KE|Kildare
IE-KK|Kilkenny
IE-LS|Laois
IE-LM|Leitrim
IE-LK|Limerick
IE-LD|Longford
IE-LH|Louth
IE-MO|Mayo
IE-MH|Meath
IE-MN|Monaghan
IE-OY|Offaly
IE-RN|Roscommon
IE-SO|Sligo
IE-TA|Tipperary
IE-WD|Waterford
IE-WH|Westmeath
IE-WX|Wexford
IE-WW|Wicklow
IL-D|HaDarom
IL-M|HaMerkaz
IL-Z|HaTsafon
IL-HA|Hefa
IL-TA|Tel Aviv
IL-JM|Yerushalayim
IN-AN|Andaman and Nicobar Islands
IN-AP|Andhra Pradesh
IN-AR|Arunachal Pradesh
IN-AS|Assam
IN-BR|Bihar
IN-CH|Chandigarh
IN-CT|Chhattisgarh
IN-DN|Dadra and Nagar Haveli
IN-DD|Daman and Diu
IN-DL|Delhi
IN-GA|Goa
IN-GJ|Gujarat
IN-HR|Haryana
IN-HP|Himachal Pradesh
IN-JK|Jammu and Kashmir
IN-JH|Jharkhand
IN-KA|Karnataka
IN-KL|Kerala
IN-LD|Lakshadweep
IN-MP|Madhya Pradesh
IN-MH|Maharashtra
IN-MN|Manipur
IN-ML|Meghalaya
IN-MZ|Mizoram
IN-NL|Nagaland
IN-OR|Odisha
IN-PY|Puducherry
IN-PB|Punjab
IN-RJ|Rajasthan
IN-SK|Sikkim
IN-TN|Tamil Nadu
IN-TG|Telangana
IN-TR|Tripura
IN-UP|Uttar Pradesh
IN-UT|Uttarakhand
IN-WB|West Bengal
IQ-AN|Al Anbar
IQ-BA|Al Basrah
IQ-MU|Al Muthanna
IQ-QA|Al Qadisiyah
IQ-NA|An Najaf
IQ-AR|Arbil
IQ-SU|As Sulaymaniyah
IQ-BB|Babil
IQ-BG|Baghdad
IQ-DA|Dahuk
IQ-DQ|Dhi Qar
IQ-DI|Diyala
IQ-KA|Karbala'
IQ-KI|Kirkuk
IQ-MA|Maysan
IQ-NI|Ninawa
IQ-SD|Salah ad Din
IQ-WA|Wasit
IR-32|Alborz
IR-03|Ardabil
IR-02|Azarbayjan-e Gharbi
IR-01|Azarbayjan-e Sharqi
IR-06|Bushehr
IR-08|Chahar Mahal va Bakhtiari
IR-04|Esfahan
IR-14|Fars
IR-19|Gilan
IR-27|Golestan
IR-24|Hamadan
IR-23|Hormozgan
IR-05|Ilam
IR-15|Kerman
IR-17|Kermanshah
IR-29|Khorasan-e Jonubi
IR-30|Khorasan-e Razavi
IR-31|Khorasan-e Shomali
IR-10|Khuzestan
IR-18|Kohgiluyeh va Bowyer Ahmad
IR-16|Kordestan
IR-20|Lorestan
IR-22|Markazi
IR-21|Mazandaran
IR-28|Qazvin
IR-26|Qom
IR-12|Semnan
IR-13|Sistan va Baluchestan
IR-07|Tehran
IR-25|Yazd
IR-11|Zanjan
IS-7|Austurland
IS-1|Hofudborgarsvaedi utan Reykjavikur
IS-6|Nordurland eystra
IS-5|Nordurland vestra
IS-8|Sudurland
IS-2|Sudurnes
IS-4|Vestfirdir
IS-3|Vesturland
IT-65|Abruzzo
IT-77|Basilicata
IT-78|Calabria
IT-72|Campania
IT-45|Emilia-Romagna
IT-36|Friuli-Venezia Giulia
IT-62|Lazio
IT-42|Liguria
IT-25|Lombardia
IT-57|Marche
IT-67|Molise
IT-21|Piemonte
IT-75|Puglia
IT-88|Sardegna
IT-82|Sicilia
IT-52|Toscana
IT-32|Trentino-Alto Adige
IT-55|Umbria
IT-23|Valle d'Aosta
IT-34|Veneto
JM-13|Clarendon
JM-09|Hanover
JM-01|Kingston
JM-12|Manchester
JM-04|Portland
JM-02|Saint Andrew
JM-06|Saint Ann
JM-14|Saint Catherine
JM-11|Saint Elizabeth
JM-08|Saint James
JM-05|Saint Mary
JM-03|Saint Thomas
JM-07|Trelawny
JM-10|Westmoreland
JO-AQ|Al 'Aqabah
JO-AM|Al 'Asimah
JO-BA|Al Balqa'
JO-KA|Al Karak
JO-MA|Al Mafraq
JO-AT|At Tafilah
JO-AZ|Az Zarqa'
JO-IR|Irbid
JO-MN|Ma'an
JO-MD|Madaba
JP-23|Aichi
JP-05|Akita
JP-02|Aomori
JP-12|Chiba
JP-38|Ehime
JP-18|Fukui
JP-40|Fukuoka
JP-07|Fukushima
JP-21|Gifu
JP-10|Gunma
JP-34|Hiroshima
JP-01|Hokkaido
JP-28|Hyogo
JP-08|Ibaraki
JP-17|Ishikawa
JP-03|Iwate
JP-37|Kagawa
JP-46|Kagoshima
JP-14|Kanagawa
JP-39|Kochi
JP-43|Kumamoto
JP-26|Kyoto
JP-24|Mie
JP-04|Miyagi
JP-45|Miyazaki
JP-20|Nagano
JP-42|Nagasaki
JP-29|Nara
JP-15|Niigata
JP-44|Oita
JP-33|Okayama
JP-47|Okinawa
JP-27|Osaka
JP-41|Saga
JP-11|Saitama
JP-25|Shiga
JP-32|Shimane
JP-22|Shizuoka
JP-09|Tochigi
JP-36|Tokushima
JP-13|Tokyo
JP-31|Tottori
JP-16|Toyama
JP-30|Wakayama
JP-06|Yamagata
JP-35|Yamaguchi
JP-19|Yamanashi
KE-01|Baringo
KE-02|Bomet
KE-03|Bungoma
KE-04|Busia
KE-06|Embu
KE-07|Garissa
KE-08|Homa Bay
KE-09|Isiolo
KE-10|Kajiado
KE-11|Kakamega
KE-12|Kericho
KE-13|Kiambu
KE-14|Kilifi
KE-15|Kirinyaga
KE-16|Kisii
KE-17|Kisumu
KE-18|Kitui
KE-19|Kwale
KE-20|Laikipia
KE-21|Lamu
KE-22|Machakos
KE-23|Makueni
KE-24|Mandera
KE-25|Marsabit
KE-26|Meru
KE-27|Migori
KE-28|Mombasa
KE-29|Murang'a
KE-30|Nairobi City
KE-31|Nakuru
KE-32|Nandi
KE-33|Narok
KE-34|Nyamira
KE-36|Nyeri
KE-37|Samburu
KE-38|Siaya
KE-39|Taita/Taveta
KE-40|Tana River
KE-41|Tharaka-Nithi
KE-42|Trans Nzoia
KE-43|Turkana
KE-44|Uasin Gishu
KE-45|Vihiga
KE-46|Wajir
KE-47|West Pokot
KG-B|Batken
KG-GB|Bishkek
KG-C|Chuy
KG-J|Jalal-Abad
KG-N|Naryn
KG-GO|Osh
KG-T|Talas
KG-Y|Ysyk-Kol
KH-2|Baat Dambang
KH-1|Banteay Mean Chey
KH-3|Kampong Chaam
KH-4|Kampong Chhnang
KH-5|Kampong Spueu
KH-6|Kampong Thum
KH-7|Kampot
KH-8|Kandaal
KH-9|Kaoh Kong
KH-10|Kracheh
KH-23|Krong Kaeb
KH-24|Krong Pailin
KH-18|Krong Preah Sihanouk
KH-11|Mondol Kiri
KH-22|Otdar Mean Chey
KH-12|Phnom Penh
KH-15|Pousaat
KH-13|Preah Vihear
KH-14|Prey Veaeng
KH-16|Rotanak Kiri
KH-17|Siem Reab
KH-19|Stueng Traeng
KH-20|Svaay Rieng
KH-21|Taakaev
KI-G|Gilbert Islands
KI-L|Line Islands
KM-A|Anjouan
KM-G|Grande Comore
KM-M|Moheli
KN-03|Saint George Basseterre
KN-10|Saint Paul Charlestown
KP-04|Chagang-do
KP-09|Hamgyong-bukto
KP-08|Hamgyong-namdo
KP-06|Hwanghae-bukto
KP-05|Hwanghae-namdo
KP-07|Kangwon-do
KP-13|Nason
KP-03|P'yongan-bukto
KP-02|P'yongan-namdo
KP-01|P'yongyang
KP-10|Yanggang-do
KR-26|Busan-gwangyeoksi
KR-43|Chungcheongbuk-do
KR-44|Chungcheongnam-do
KR-27|Daegu-gwangyeoksi
KR-30|Daejeon-gwangyeoksi
KR-42|Gangwon-do
KR-29|Gwangju-gwangyeoksi
KR-41|Gyeonggi-do
KR-47|Gyeongsangbuk-do
KR-48|Gyeongsangnam-do
KR-28|Incheon-gwangyeoksi
KR-49|Jeju-teukbyeoljachido
KR-45|Jeollabuk-do
KR-46|Jeollanam-do
KR-11|Seoul-teukbyeolsi
KR-31|Ulsan-gwangyeoksi
KW-KU|Al 'Asimah
KW-AH|Al Ahmadi
KW-FA|Al Farwaniyah
KW-JA|Al Jahra
KW-HA|Hawalli
KW-MU|Mubarak al Kabir
KZ-ALA|Almaty
KZ-ALM|Almaty oblysy
KZ-AKM|Aqmola oblysy
KZ-AKT|Aqtobe oblysy
KZ-AST|Astana
KZ-ATY|Atyrau oblysy
KZ-ZAP|Batys Qazaqstan oblysy
KZ-BAY|Bayqongyr
KZ-MAN|Mangghystau oblysy
KZ-YUZ|Ongtustik Qazaqstan oblysy
KZ-PAV|Pavlodar oblysy
KZ-KAR|Qaraghandy oblysy
KZ-KUS|Qostanay oblysy
KZ-KZY|Qyzylorda oblysy
KZ-VOS|Shyghys Qazaqstan oblysy
KZ-SEV|Soltustik Qazaqstan oblysy
KZ-ZHA|Zhambyl oblysy
LA-AT|Attapu
LA-BK|Bokeo
LA-BL|Bolikhamxai
LA-CH|Champasak
LA-HO|Houaphan
LA-KH|Khammouan
LA-LM|Louang Namtha
LA-LP|Louangphabang
LA-OU|Oudomxai
LA-PH|Phongsali
LA-SL|Salavan
LA-SV|Savannakhet
LA-VI|Viangchan
LA-XA|Xaignabouli
LA-XE|Xekong
LA-XI|Xiangkhouang
LB-AK|Aakkar
LB-BH|Baalbek-Hermel
LB-BI|Beqaa
LB-BA|Beyrouth
LB-AS|Liban-Nord
LB-JA|Liban-Sud
LB-JL|Mont-Liban
LB-NA|Nabatiye
LC-01|Anse la Raye
LC-02|Castries
LC-05|Dennery
LC-06|Gros Islet
LC-07|Laborie
LC-08|Micoud
LC-10|Soufriere
LC-11|Vieux Fort
LI-01|Balzers
LI-02|Eschen
LI-03|Gamprin
LI-04|Mauren
LI-05|Planken
LI-06|Ruggell
LI-07|Schaan
LI-08|Schellenberg
LI-09|Triesen
LI-10|Triesenberg
LI-11|Vaduz
LK-2|Central Province
LK-5|Eastern Province
LK-7|North Central Province
LK-6|North Western Province
LK-4|Northern Province
LK-9|Sabaragamuwa Province
LK-3|Southern Province
LK-8|Uva Province
LK-1|Western Province
LR-BM|Bomi
LR-BG|Bong
LR-GP|Gbarpolu
LR-GB|Grand Bassa
LR-CM|Grand Cape Mount
LR-GG|Grand Gedeh
LR-GK|Grand Kru
LR-LO|Lofa
LR-MG|Margibi
LR-MY|Maryland
LR-MO|Montserrado
LR-NI|Nimba
LR-RI|River Cess
LR-RG|River Gee
LR-SI|Sinoe
LS-D|Berea
LS-B|Butha-Buthe
LS-C|Leribe
LS-E|Mafeteng
LS-A|Maseru
LS-F|Mohale's Hoek
LS-J|Mokhotlong
LS-H|Qacha's Nek
LS-G|Quthing
LS-K|Thaba-Tseka
LT-AL|Alytaus apskritis
LT-KU|Kauno apskritis
LT-KL|Klaipedos apskritis
LT-MR|Marijampoles apskritis
LT-PN|Panevezio apskritis
LT-SA|Siauliu apskritis
LT-TA|Taurages apskritis
LT-TE|Telsiu apskritis
LT-UT|Utenos apskritis
LT-VL|Vilniaus apskritis
LU-DI|Diekirch
LU-GR|Grevenmacher
LU-LU|Luxembourg
LV-011|Adazu novads
LV-001|Aglonas novads
LV-002|Aizkraukles novads
LV-003|Aizputes novads
LV-005|Alojas novads
LV-007|Aluksnes novads
LV-012|Babites novads
LV-014|Baltinavas novads
LV-015|Balvu novads
LV-016|Bauskas novads
LV-017|Beverinas novads
LV-018|Brocenu novads
LV-020|Carnikavas novads
LV-022|Cesu novads
LV-021|Cesvaines novads
LV-023|Ciblas novads
LV-025|Daugavpils novads
LV-026|Dobeles novads
LV-027|Dundagas novads
LV-033|Gulbenes novads
LV-034|Iecavas novads
LV-037|Incukalna novads
LV-038|Jaunjelgavas novads
LV-039|Jaunpiebalgas novads
LV-040|Jaunpils novads
LV-042|Jekabpils novads
LV-JEL|Jelgava
LV-041|Jelgavas novads
LV-JUR|Jurmala
LV-052|Kekavas novads
LV-046|Kokneses novads
LV-047|Kraslavas novads
LV-050|Kuldigas novads
LV-LPX|Liepaja
LV-054|Limbazu novads
LV-057|Lubanas novads
LV-058|Ludzas novads
LV-059|Madonas novads
LV-061|Malpils novads
LV-067|Ogres novads
LV-068|Olaines novads
LV-069|Ozolnieku novads
LV-073|Preilu novads
LV-077|Rezeknes novads
LV-RIX|Riga
LV-079|Rojas novads
LV-080|Ropazu novads
LV-082|Rugaju novads
LV-083|Rundales novads
LV-086|Salacgrivas novads
LV-088|Saldus novads
LV-090|Sejas novads
LV-091|Siguldas novads
LV-093|Skrundas novads
LV-095|Stopinu novads
LV-096|Strencu novads
LV-097|Talsu novads
LV-099|Tukuma novads
LV-100|Vainodes novads
LV-101|Valkas novads
LV-VMR|Valmiera
LV-103|Varkavas novads
LV-105|Vecumnieku novads
LV-106|Ventspils novads
LY-BU|Al Butnan
LY-JA|Al Jabal al Akhdar
LY-JG|Al Jabal al Gharbi
LY-JI|Al Jafarah
LY-JU|Al Jufrah
LY-KF|Al Kufrah
LY-MJ|Al Marj
LY-MB|Al Marqab
LY-WA|Al Wahat
LY-NQ|An Nuqat al Khams
LY-ZA|Az Zawiyah
LY-BA|Banghazi
LY-DR|Darnah
LY-GT|Ghat
LY-MI|Misratah
LY-MQ|Murzuq
LY-NL|Nalut
LY-SB|Sabha
LY-SR|Surt
LY-TB|Tarabulus
LY-WD|Wadi al Hayat
LY-WS|Wadi ash Shati'
MA-09|Chaouia-Ouardigha
MA-10|Doukhala-Abda
MA-05|Fes-Boulemane
MA-02|Gharb-Chrarda-Beni Hssen
MA-08|Grand Casablanca
MA-14|Guelmim-Es Semara
MA-04|L'Oriental
MA-11|Marrakech-Tensift-Al Haouz
MA-06|Meknes-Tafilalet
MA-07|Rabat-Sale-Zemmour-Zaer
MA-13|Souss-Massa-Draa
MA-12|Tadla-Azilal
MA-01|Tanger-Tetouan
MA-03|Taza-Al Hoceima-Taounate
MC-FO|Fontvieille
MC-CO|La Condamine
MC-MO|Monaco-Ville
MC-MG|Moneghetti
MC-MC|Monte-Carlo
MC-SR|Saint-Roman
MD-AN|Anenii Noi
MD-BA|Balti
MD-BS|Basarabeasca
MD-BD|Bender
MD-BR|Briceni
MD-CA|Cahul
MD-CL|Calarasi
MD-CT|Cantemir
MD-CS|Causeni
MD-CU|Chisinau
MD-CM|Cimislia
MD-CR|Criuleni
MD-DO|Donduseni
MD-DR|Drochia
MD-DU|Dubasari
MD-ED|Edinet
MD-FA|Falesti
MD-FL|Floresti
MD-GA|Gagauzia, Unitatea teritoriala autonoma
MD-GL|Glodeni
MD-HI|Hincesti
MD-IA|Ialoveni
MD-LE|Leova
MD-NI|Nisporeni
MD-OC|Ocnita
MD-OR|Orhei
MD-RE|Rezina
MD-RI|Riscani
MD-SI|Singerei
MD-SD|Soldanesti
MD-SO|Soroca
MD-SV|Stefan Voda
MD-SN|Stinga Nistrului, unitatea teritoriala din
MD-ST|Straseni
MD-TA|Taraclia
MD-TE|Telenesti
MD-UN|Ungheni
ME-02|Bar
ME-05|Budva
ME-06|Cetinje
ME-07|Danilovgrad
ME-08|Herceg-Novi
ME-09|Kolasin
ME-10|Kotor
ME-11|Mojkovac
ME-12|Niksic
ME-16|Podgorica
ME-19|Tivat
ME-20|Ulcinj
ME-21|Zabljak
MG-T|Antananarivo
MG-D|Antsiranana
MG-F|Fianarantsoa
MG-M|Mahajanga
MG-A|Toamasina
MG-U|Toliara
MH-ALL|Ailinglaplap
MH-ALK|Ailuk
MH-ARN|Arno
MH-AUR|Aur
MH-KIL|Bikini and Kili
MH-EBO|Ebon
MH-ENI|Enewetak and Ujelang
MH-JAB|Jabat
MH-JAL|Jaluit
MH-KWA|Kwajalein
MH-LAE|Lae
MH-LIB|Lib
MH-LIK|Likiep
MH-MAJ|Majuro
MH-MAL|Maloelap
MH-MEJ|Mejit
MH-MIL|Mili
MH-NMK|Namdrik
MH-NMU|Namu
MH-RON|Rongelap
MH-UJA|Ujae
MH-UTI|Utrik
MH-WTH|Wotho
MH-WTJ|Wotje
MK-02|Aracinovo
MK-03|Berovo
MK-04|Bitola
MK-05|Bogdanci
MK-06|Bogovinje
MK-07|Bosilovo
MK-08|Brvenica
MK-80|Caska
MK-78|Centar Zupa
MK-81|Cesinovo-Oblesevo
MK-82|Cucer Sandevo
MK-21|Debar
MK-22|Debarca
MK-23|Delcevo
MK-25|Demir Hisar
MK-24|Demir Kapija
MK-26|Dojran
MK-27|Dolneni
MK-18|Gevgelija
MK-19|Gostivar
MK-20|Gradsko
MK-34|Ilinden
MK-35|Jegunovce
MK-37|Karbinci
MK-36|Kavadarci
MK-40|Kicevo
MK-42|Kocani
MK-41|Konce
MK-43|Kratovo
MK-44|Kriva Palanka
MK-45|Krivogastani
MK-46|Krusevo
MK-47|Kumanovo
MK-48|Lipkovo
MK-49|Lozovo
MK-51|Makedonska Kamenica
MK-52|Makedonski Brod
MK-50|Mavrovo i Rostusa
MK-53|Mogila
MK-54|Negotino
MK-55|Novaci
MK-56|Novo Selo
MK-58|Ohrid
MK-60|Pehcevo
MK-59|Petrovec
MK-61|Plasnica
MK-62|Prilep
MK-63|Probistip
MK-64|Radovis
MK-65|Rankovce
MK-66|Resen
MK-67|Rosoman
MK-85|Skopje
MK-70|Sopiste
MK-71|Staro Nagoricane
MK-83|Stip
MK-72|Struga
MK-73|Strumica
MK-74|Studenicani
MK-69|Sveti Nikole
MK-75|Tearce
MK-76|Tetovo
MK-10|Valandovo
MK-11|Vasilevo
MK-13|Veles
MK-12|Vevcani
MK-14|Vinica
MK-16|Vrapciste
MK-32|Zelenikovo
MK-30|Zelino
MK-33|Zrnovci
ML-BKO|Bamako
ML-7|Gao
ML-1|Kayes
ML-8|Kidal
ML-2|Koulikoro
ML-5|Mopti
ML-4|Segou
ML-3|Sikasso
ML-6|Tombouctou
MM-07|Ayeyarwady
MM-02|Bago
MM-14|Chin
MM-11|Kachin
MM-12|Kayah
MM-13|Kayin
MM-03|Magway
MM-04|Mandalay
MM-15|Mon
MM-18|Nay Pyi Taw
MM-16|Rakhine
MM-01|Sagaing
MM-17|Shan
MM-05|Tanintharyi
MM-06|Yangon
MN-073|Arhangay
MN-071|Bayan-Olgiy
MN-069|Bayanhongor
MN-067|Bulgan
MN-037|Darhan uul
MN-061|Dornod
MN-063|Dornogovi
MN-059|Dundgovi
MN-057|Dzavhan
MN-065|Govi-Altay
MN-064|Govi-Sumber
MN-039|Hentiy
MN-043|Hovd
MN-041|Hovsgol
MN-053|Omnogovi
MN-035|Orhon
MN-055|Ovorhangay
MN-049|Selenge
MN-051|Suhbaatar
MN-047|Tov
MN-1|Ulaanbaatar
MN-046|Uvs
MR-07|Adrar
MR-03|Assaba
MR-05|Brakna
MR-08|Dakhlet Nouadhibou
MR-04|Gorgol
MR-10|Guidimaka
MR-01|Hodh ech Chargui
MR-02|Hodh el Gharbi
MR-12|Inchiri
MR-14|Nouakchott Nord
MR-09|Tagant
MR-11|Tiris Zemmour
MR-06|Trarza
MT-01|Attard
MT-02|Balzan
MT-04|Birkirkara
MT-05|Birzebbuga
MT-06|Bormla
MT-07|Dingli
MT-13|Ghajnsielem
MT-15|Gharghur
MT-17|Ghaxaq
MT-64|Haz-Zabbar
MT-60|Valletta
MT-03|Birgu
MT-08|Fgura
MT-09|Floriana
MT-11|Gudja
MT-18|Hamrun
MT-21|Kalkara
MT-26|Marsa
MT-30|Mellieha
MT-32|Mosta
MT-42|Qala
MT-44|Qrendi
MT-37|Nadur
MT-38|Naxxar
MT-46|Rabat Malta
MT-55|Siggiewi
MT-57|Swieqi
MT-61|Xaghra
MT-62|Xewkija
MT-65|Zebbug Gozo
MT-67|Zejtun
MT-68|Zurrieq
MT-23|Kirkop
MT-19|Iklin
MT-33|Mqabba
MT-34|Msida
MT-20|Isla
MT-24|Lija
MT-25|Luqa
MT-28|Marsaxlokk
MT-39|Paola
MT-43|Qormi
MT-47|Safi
MT-49|Saint John
MT-48|Saint Julian
MT-53|Saint Lucia
MT-51|Saint Paul's Bay
MT-54|Saint Venera
MT-52|Sannat
MT-22|Kercem
MT-58|Ta' Xbiex
MT-59|Tarxien
MT-56|Sliema
MT-45|Rabat Gozo
MU-BL|Black River
MU-FL|Flacq
MU-GP|Grand Port
MU-MO|Moka
MU-PA|Pamplemousses
MU-PW|Plaines Wilhems
MU-PU|Port Louis
MU-RR|Riviere du Rempart
MU-SA|Savanne
MV-02|Alifu Alifu
MV-20|Baa
MV-17|Dhaalu
MV-28|Gaafu Dhaalu
MV-07|Haa Alifu
MV-23|Haa Dhaalu
MV-26|Kaafu
MV-05|Laamu
MV-MLE|Maale
MV-12|Meemu
MV-25|Noonu
MV-13|Raa
MV-01|Seenu
MV-24|Shaviyani
MV-08|Thaa
MW-BA|Balaka
MW-BL|Blantyre
MW-CK|Chikwawa
MW-CR|Chiradzulu
MW-CT|Chitipa
MW-DE|Dedza
MW-DO|Dowa
MW-KR|Karonga
MW-KS|Kasungu
MW-LK|Likoma
MW-LI|Lilongwe
MW-MH|Machinga
MW-MG|Mangochi
MW-MC|Mchinji
MW-MU|Mulanje
MW-MW|Mwanza
MW-MZ|Mzimba
MW-NE|Neno
MW-NB|Nkhata Bay
MW-NK|Nkhotakota
MW-NS|Nsanje
MW-NU|Ntcheu
MW-NI|Ntchisi
MW-PH|Phalombe
MW-RU|Rumphi
MW-SA|Salima
MW-TH|Thyolo
MW-ZO|Zomba
MX-AGU|Aguascalientes
MX-BCN|Baja California
MX-BCS|Baja California Sur
MX-CAM|Campeche
MX-CHP|Chiapas
MX-CHH|Chihuahua
MX-CMX|Ciudad de Mexico
MX-COA|Coahuila de Zaragoza
MX-COL|Colima
MX-DUR|Durango
MX-GUA|Guanajuato
MX-GRO|Guerrero
MX-HID|Hidalgo
MX-JAL|Jalisco
MX-MEX|Mexico
MX-MIC|Michoacan de Ocampo
MX-MOR|Morelos
MX-NAY|Nayarit
MX-NLE|Nuevo Leon
MX-OAX|Oaxaca
MX-PUE|Puebla
MX-QUE|Queretaro
MX-ROO|Quintana Roo
MX-SLP|San Luis Potosi
MX-SIN|Sinaloa
MX-SON|Sonora
MX-TAB|Tabasco
MX-TAM|Tamaulipas
MX-TLA|Tlaxcala
MX-VER|Veracruz de Ignacio de la Llave
MX-YUC|Yucatan
MX-ZAC|Zacatecas
MY-01|Johor
MY-02|Kedah
MY-03|Kelantan
MY-04|Melaka
MY-05|Negeri Sembilan
MY-06|Pahang
MY-08|Perak
MY-09|Perlis
MY-07|Pulau Pinang
MY-12|Sabah
MY-13|Sarawak
MY-10|Selangor
MY-11|Terengganu
MY-14|Wilayah Persekutuan Kuala Lumpur
MY-15|Wilayah Persekutuan Labuan
MY-16|Wilayah Persekutuan Putrajaya
MZ-P|Cabo Delgado
MZ-G|Gaza
MZ-I|Inhambane
MZ-B|Manica
MZ-MPM|Maputo
MZ-N|Nampula
MZ-A|Niassa
MZ-S|Sofala
MZ-T|Tete
MZ-Q|Zambezia
NA-ER|Erongo
NA-HA|Hardap
NA-KA|Karas
NA-KE|Kavango East
NA-KH|Khomas
NA-KU|Kunene
NA-OW|Ohangwena
NA-OH|Omaheke
NA-OS|Omusati
NA-ON|Oshana
NA-OT|Oshikoto
NA-OD|Otjozondjupa
NA-CA|Zambezi
NE-1|Agadez
NE-2|Diffa
NE-3|Dosso
NE-4|Maradi
NE-8|Niamey
NE-5|Tahoua
NE-6|Tillaberi
NE-7|Zinder
NG-AB|Abia
NG-FC|Abuja Federal Capital Territory
NG-AD|Adamawa
NG-AK|Akwa Ibom
NG-AN|Anambra
NG-BA|Bauchi
NG-BY|Bayelsa
NG-BE|Benue
NG-BO|Borno
NG-CR|Cross River
NG-DE|Delta
NG-EB|Ebonyi
NG-ED|Edo
NG-EK|Ekiti
NG-EN|Enugu
NG-GO|Gombe
NG-IM|Imo
NG-JI|Jigawa
NG-KD|Kaduna
NG-KN|Kano
NG-KT|Katsina
NG-KE|Kebbi
NG-KO|Kogi
NG-KW|Kwara
NG-LA|Lagos
NG-NA|Nasarawa
NG-NI|Niger
NG-OG|Ogun
NG-ON|Ondo
NG-OS|Osun
NG-OY|Oyo
NG-PL|Plateau
NG-RI|Rivers
NG-SO|Sokoto
NG-TA|Taraba
NG-YO|Yobe
NG-ZA|Zamfara
NI-AN|Atlantico Norte
NI-AS|Atlantico Sur
NI-BO|Boaco
NI-CA|Carazo
NI-CI|Chinandega
NI-CO|Chontales
NI-ES|Esteli
NI-GR|Granada
NI-JI|Jinotega
NI-LE|Leon
NI-MD|Madriz
NI-MN|Managua
NI-MS|Masaya
NI-MT|Matagalpa
NI-NS|Nueva Segovia
NI-SJ|Rio San Juan
NI-RI|Rivas
NL-DR|Drenthe
NL-FL|Flevoland
NL-FR|Fryslan
NL-GE|Gelderland
NL-GR|Groningen
NL-LI|Limburg
NL-NB|Noord-Brabant
NL-NH|Noord-Holland
NL-OV|Overijssel
NL-UT|Utrecht
NL-ZE|Zeeland
NL-ZH|Zuid-Holland
NO-02|Akershus
NO-09|Aust-Agder
NO-06|Buskerud
NO-20|Finnmark
NO-04|Hedmark
NO-12|Hordaland
NO-15|More og Romsdal
NO-17|Nord-Trondelag
NO-18|Nordland
NO-05|Oppland
NO-03|Oslo
NO-01|Ostfold
NO-11|Rogaland
NO-14|Sogn og Fjordane
NO-16|Sor-Trondelag
NO-08|Telemark
NO-19|Troms
NO-10|Vest-Agder
NO-07|Vestfold
NP-BA|Bagmati
NP-BH|Bheri
NP-DH|Dhawalagiri
NP-GA|Gandaki
NP-JA|Janakpur
NP-KA|Karnali
NP-KO|Kosi
NP-LU|Lumbini
NP-MA|Mahakali
NP-ME|Mechi
NP-NA|Narayani
NP-RA|Rapti
NP-SA|Sagarmatha
NP-SE|Seti
NR-14|Yaren
NZ-AUK|Auckland
NZ-BOP|Bay of Plenty
NZ-CAN|Canterbury
NZ-CIT|Chatham Islands Territory
NZ-GIS|Gisborne
NZ-HKB|Hawke's Bay
NZ-MWT|Manawatu-Wanganui
NZ-MBH|Marlborough
NZ-NSN|Nelson
NZ-NTL|Northland
NZ-OTA|Otago
NZ-STL|Southland
NZ-TKI|Taranaki
NZ-TAS|Tasman
NZ-WKO|Waikato
NZ-WGN|Wellington
NZ-WTC|West Coast
OM-DA|Ad Dakhiliyah
OM-BU|Al Buraymi
OM-WU|Al Wusta
OM-ZA|Az Zahirah
OM-BJ|Janub al Batinah
OM-SJ|Janub ash Sharqiyah
OM-MA|Masqat
OM-MU|Musandam
OM-BS|Shamal al Batinah
OM-SS|Shamal ash Sharqiyah
OM-ZU|Zufar
PA-1|Bocas del Toro
PA-4|Chiriqui
PA-2|Cocle
PA-3|Colon
PA-5|Darien
PA-6|Herrera
PA-7|Los Santos
PA-8|Panama
PA-9|Veraguas
PE-AMA|Amazonas
PE-ANC|Ancash
PE-APU|Apurimac
PE-ARE|Arequipa
PE-AYA|Ayacucho
PE-CAJ|Cajamarca
PE-CUS|Cusco
PE-CAL|El Callao
PE-HUV|Huancavelica
PE-HUC|Huanuco
PE-ICA|Ica
PE-JUN|Junin
PE-LAL|La Libertad
PE-LAM|Lambayeque
PE-LIM|Lima
PE-LOR|Loreto
PE-MDD|Madre de Dios
PE-MOQ|Moquegua
PE-PAS|Pasco
PE-PIU|Piura
PE-PUN|Puno
PE-SAM|San Martin
PE-TAC|Tacna
PE-TUM|Tumbes
PE-UCA|Ucayali
PG-NSB|Bougainville
PG-CPK|Chimbu
PG-EBR|East New Britain
PG-ESW|East Sepik
PG-EHG|Eastern Highlands
PG-EPW|Enga
PG-GPK|Gulf
PG-MPM|Madang
PG-MRL|Manus
PG-MBA|Milne Bay
PG-MPL|Morobe
PG-NCD|National Capital District (Port Moresby)
PG-NIK|New Ireland
PG-NPP|Northern
PG-SHM|Southern Highlands
PG-WBK|West New Britain
PG-SAN|West Sepik
PG-WPD|Western
PG-WHM|Western Highlands
PH-ABR|Abra
PH-AGN|Agusan del Norte
PH-AGS|Agusan del Sur
PH-AKL|Aklan
PH-ALB|Albay
PH-ANT|Antique
PH-APA|Apayao
PH-AUR|Aurora
PH-BAS|Basilan
PH-BAN|Bataan
PH-BTN|Batanes
PH-BTG|Batangas
PH-BEN|Benguet
PH-BOH|Bohol
PH-BUK|Bukidnon
PH-BUL|Bulacan
PH-CAG|Cagayan
PH-CAN|Camarines Norte
PH-CAS|Camarines Sur
PH-CAM|Camiguin
PH-CAP|Capiz
PH-CAT|Catanduanes
PH-CAV|Cavite
PH-CEB|Cebu
PH-NCO|Cotabato
PH-DAS|Davao del Sur
PH-DAO|Davao Oriental
PH-EAS|Eastern Samar
PH-IFU|Ifugao
PH-ILN|Ilocos Norte
PH-ILS|Ilocos Sur
PH-ILI|Iloilo
PH-ISA|Isabela
PH-KAL|Kalinga
PH-LUN|La Union
PH-LAG|Laguna
PH-LAN|Lanao del Norte
PH-LAS|Lanao del Sur
PH-LEY|Leyte
PH-MAG|Maguindanao
PH-MAD|Marinduque
PH-MAS|Masbate
PH-MDC|Mindoro Occidental
PH-MDR|Mindoro Oriental
PH-MSC|Misamis Occidental
PH-MSR|Misamis Oriental
PH-MOU|Mountain Province
PH-00|National Capital Region
PH-NEC|Negros Occidental
PH-NER|Negros Oriental
PH-NSA|Northern Samar
PH-NUE|Nueva Ecija
PH-NUV|Nueva Vizcaya
PH-PLW|Palawan
PH-PAM|Pampanga
PH-PAN|Pangasinan
PH-QUE|Quezon
PH-QUI|Quirino
PH-RIZ|Rizal
PH-ROM|Romblon
PH-WSA|Samar
PH-SIG|Siquijor
PH-SOR|Sorsogon
PH-SCO|South Cotabato
PH-SLE|Southern Leyte
PH-SUK|Sultan Kudarat
PH-SLU|Sulu
PH-SUN|Surigao del Norte
PH-SUR|Surigao del Sur
PH-TAR|Tarlac
PH-TAW|Tawi-Tawi
PH-ZMB|Zambales
PH-ZAN|Zamboanga del Norte
PH-ZAS|Zamboanga del Sur
PK-JK|Azad Kashmir
PK-BA|Balochistan
PK-TA|Federally Administered Tribal Areas
PK-GB|Gilgit-Baltistan
PK-IS|Islamabad
PK-KP|Khyber Pakhtunkhwa
PK-PB|Punjab
PK-SD|Sindh
PL-DS|Dolnoslaskie
PL-KP|Kujawsko-pomorskie
PL-LD|Lodzkie
PL-LU|Lubelskie
PL-LB|Lubuskie
PL-MA|Malopolskie
PL-MZ|Mazowieckie
PL-OP|Opolskie
PL-PK|Podkarpackie
PL-PD|Podlaskie
PL-PM|Pomorskie
PL-SL|Slaskie
PL-SK|Swietokrzyskie
PL-WN|Warminsko-mazurskie
PL-WP|Wielkopolskie
PL-ZP|Zachodniopomorskie
PS-BTH|Bethlehem
PS-GZA|Gaza
PS-HBN|Hebron
PS-JEN|Jenin
PS-JRH|Jericho and Al Aghwar
PS-JEM|Jerusalem
PS-NBS|Nablus
PS-QQA|Qalqilya
PS-RBH|Ramallah
PS-SLT|Salfit
PS-TBS|Tubas
PS-TKM|Tulkarm
PT-01|Aveiro
PT-02|Beja
PT-03|Braga
PT-04|Braganca
PT-05|Castelo Branco
PT-06|Coimbra
PT-07|Evora
PT-08|Faro
PT-09|Guarda
PT-10|Leiria
PT-11|Lisboa
PT-12|Portalegre
PT-13|Porto
PT-30|Regiao Autonoma da Madeira
PT-20|Regiao Autonoma dos Acores
PT-14|Santarem
PT-15|Setubal
PT-16|Viana do Castelo
PT-17|Vila Real
PT-18|Viseu
PW-002|Aimeliik
PW-004|Airai
PW-010|Angaur
PW-100|Kayangel
PW-150|Koror
PW-212|Melekeok
PW-214|Ngaraard
PW-218|Ngarchelong
PW-222|Ngardmau
PW-224|Ngatpang
PW-228|Ngiwal
PW-350|Peleliu
PY-16|Alto Paraguay
PY-10|Alto Parana
PY-13|Amambay
PY-ASU|Asuncion
PY-19|Boqueron
PY-5|Caaguazu
PY-6|Caazapa
PY-14|Canindeyu
PY-11|Central
PY-1|Concepcion
PY-3|Cordillera
PY-4|Guaira
PY-7|Itapua
PY-8|Misiones
PY-12|Neembucu
PY-9|Paraguari
PY-15|Presidente Hayes
PY-2|San Pedro
QA-DA|Ad Dawhah
QA-KH|Al Khawr wa adh Dhakhirah
QA-WA|Al Wakrah
QA-RA|Ar Rayyan
QA-MS|Ash Shamal
QA-ZA|Az Za'ayin
QA-US|Umm Salal
RO-AB|Alba
RO-AR|Arad
RO-AG|Arges
RO-BC|Bacau
RO-BH|Bihor
RO-BN|Bistrita-Nasaud
RO-BT|Botosani
RO-BR|Braila
RO-BV|Brasov
RO-B|Bucuresti
RO-BZ|Buzau
RO-CL|Calarasi
RO-CS|Caras-Severin
RO-CJ|Cluj
RO-CT|Constanta
RO-CV|Covasna
RO-DB|Dambovita
RO-DJ|Dolj
RO-GL|Galati
RO-GR|Giurgiu
RO-GJ|Gorj
RO-HR|Harghita
RO-HD|Hunedoara
RO-IL|Ialomita
RO-IS|Iasi
RO-IF|Ilfov
RO-MM|Maramures
RO-MH|Mehedinti
RO-MS|Mures
RO-NT|Neamt
RO-OT|Olt
RO-PH|Prahova
RO-SJ|Salaj
RO-SM|Satu Mare
RO-SB|Sibiu
RO-SV|Suceava
RO-TR|Teleorman
RO-TM|Timis
RO-TL|Tulcea
RO-VL|Valcea
RO-VS|Vaslui
RO-VN|Vrancea
RS-00|Beograd
RS-14|Borski okrug
RS-11|Branicevski okrug
RS-23|Jablanicki okrug
RS-06|Juznobacki okrug
RS-04|Juznobanatski okrug
RS-09|Kolubarski okrug
RS-28|Kosovsko-Mitrovacki okrug
RS-08|Macvanski okrug
RS-17|Moravicki okrug
RS-20|Nisavski okrug
RS-24|Pcinjski okrug
RS-26|Pecki okrug
RS-22|Pirotski okrug
RS-10|Podunavski okrug
RS-27|Prizrenski okrug
RS-19|Rasinski okrug
RS-18|Raski okrug
RS-01|Severnobacki okrug
RS-03|Severnobanatski okrug
RS-02|Srednjebanatski okrug
RS-07|Sremski okrug
RS-12|Sumadijski okrug
RS-21|Toplicki okrug
RS-15|Zajecarski okrug
RS-05|Zapadnobacki okrug
RS-16|Zlatiborski okrug
RU-AD|Adygeya, Respublika
RU-AL|Altay, Respublika
RU-ALT|Altayskiy kray
RU-AMU|Amurskaya oblast'
RU-ARK|Arkhangel'skaya oblast'
RU-AST|Astrakhanskaya oblast'
RU-BA|Bashkortostan, Respublika
RU-BEL|Belgorodskaya oblast'
RU-BRY|Bryanskaya oblast'
RU-BU|Buryatiya, Respublika
RU-CE|Chechenskaya Respublika
RU-CHE|Chelyabinskaya oblast'
RU-CHU|Chukotskiy avtonomnyy okrug
RU-CU|Chuvashskaya Respublika
RU-DA|Dagestan, Respublika
RU-IN|Ingushetiya, Respublika
RU-IRK|Irkutskaya oblast'
RU-IVA|Ivanovskaya oblast'
RU-KB|Kabardino-Balkarskaya Respublika
RU-KGD|Kaliningradskaya oblast'
RU-KL|Kalmykiya, Respublika
RU-KLU|Kaluzhskaya oblast'
RU-KAM|Kamchatskiy kray
RU-KC|Karachayevo-Cherkesskaya Respublika
RU-KR|Kareliya, Respublika
RU-KEM|Kemerovskaya oblast'
RU-KHA|Khabarovskiy kray
RU-KK|Khakasiya, Respublika
RU-KHM|Khanty-Mansiyskiy avtonomnyy okrug
RU-KIR|Kirovskaya oblast'
RU-KO|Komi, Respublika
RU-KOS|Kostromskaya oblast'
RU-KDA|Krasnodarskiy kray
RU-KYA|Krasnoyarskiy kray
RU-KGN|Kurganskaya oblast'
RU-KRS|Kurskaya oblast'
RU-LEN|Leningradskaya oblast'
RU-LIP|Lipetskaya oblast'
RU-MAG|Magadanskaya oblast'
RU-ME|Mariy El, Respublika
RU-MO|Mordoviya, Respublika
RU-MOS|Moskovskaya oblast'
RU-MOW|Moskva
RU-MUR|Murmanskaya oblast'
RU-NEN|Nenetskiy avtonomnyy okrug
RU-NIZ|Nizhegorodskaya oblast'
RU-NGR|Novgorodskaya oblast'
RU-NVS|Novosibirskaya oblast'
RU-OMS|Omskaya oblast'
RU-ORE|Orenburgskaya oblast'
RU-ORL|Orlovskaya oblast'
RU-PNZ|Penzenskaya oblast'
RU-PER|Permskiy kray
RU-PRI|Primorskiy kray
RU-PSK|Pskovskaya oblast'
RU-ROS|Rostovskaya oblast'
RU-RYA|Ryazanskaya oblast'
RU-SA|Saha, Respublika
RU-SAK|Sakhalinskaya oblast'
RU-SAM|Samarskaya oblast'
RU-SPE|Sankt-Peterburg
RU-SAR|Saratovskaya oblast'
RU-SE|Severnaya Osetiya, Respublika
RU-SMO|Smolenskaya oblast'
RU-STA|Stavropol'skiy kray
RU-SVE|Sverdlovskaya oblast'
RU-TAM|Tambovskaya oblast'
RU-TA|Tatarstan, Respublika
RU-TOM|Tomskaya oblast'
RU-TUL|Tul'skaya oblast'
RU-TVE|Tverskaya oblast'
RU-TYU|Tyumenskaya oblast'
RU-TY|Tyva, Respublika
RU-UD|Udmurtskaya Respublika
RU-ULY|Ul'yanovskaya oblast'
RU-VLA|Vladimirskaya oblast'
RU-VGG|Volgogradskaya oblast'
RU-VLG|Vologodskaya oblast'
RU-VOR|Voronezhskaya oblast'
RU-YAN|Yamalo-Nenetskiy avtonomnyy okrug
RU-YAR|Yaroslavskaya oblast'
RU-YEV|Yevreyskaya avtonomnaya oblast'
RU-ZAB|Zabaykal'skiy kray
RW-02|Est
RW-03|Nord
RW-04|Ouest
RW-05|Sud
RW-01|Ville de Kigali
SA-14|'Asir
SA-11|Al Bahah
SA-08|Al Hudud ash Shamaliyah
SA-12|Al Jawf
SA-03|Al Madinah al Munawwarah
SA-05|Al Qasim
SA-01|Ar Riyad
SA-04|Ash Sharqiyah
SA-06|Ha'il
SA-09|Jazan
SA-02|Makkah al Mukarramah
SA-10|Najran
SA-07|Tabuk
SB-CE|Central
SB-GU|Guadalcanal
SB-IS|Isabel
SB-MK|Makira-Ulawa
SB-ML|Malaita
SB-WE|Western
SC-16|English River
SD-NB|Blue Nile
SD-GD|Gedaref
SD-GZ|Gezira
SD-KA|Kassala
SD-KH|Khartoum
SD-DN|North Darfur
SD-KN|North Kordofan
SD-NO|Northern
SD-RS|Red Sea
SD-NR|River Nile
SD-SI|Sennar
SD-DS|South Darfur
SD-KS|South Kordofan
SD-DW|West Darfur
SD-NW|White Nile
SE-K|Blekinge lan
SE-W|Dalarnas lan
SE-X|Gavleborgs lan
SE-I|Gotlands lan
SE-N|Hallands lan
SE-Z|Jamtlands lan
SE-F|Jonkopings lan
SE-H|Kalmar lan
SE-G|Kronobergs lan
SE-BD|Norrbottens lan
SE-T|Orebro lan
SE-E|Ostergotlands lan
SE-M|Skane lan
SE-D|Sodermanlands lan
SE-AB|Stockholms lan
SE-C|Uppsala lan
SE-S|Varmlands lan
SE-AC|Vasterbottens lan
SE-Y|Vasternorrlands lan
SE-U|Vastmanlands lan
SE-O|Vastra Gotalands lan
SH-AC|Ascension
SH-HL|Saint Helena
SH-TA|Tristan da Cunha
SI-001|Ajdovscina
SI-003|Bled
SI-004|Bohinj
SI-005|Borovnica
SI-006|Bovec
SI-009|Brezice
SI-008|Brezovica
SI-011|Celje
SI-013|Cerknica
SI-014|Cerkno
SI-015|Crensovci
SI-017|Crnomelj
SI-018|Destrnik
SI-019|Divaca
SI-023|Domzale
SI-025|Dravograd
SI-029|Gornja Radgona
SI-032|Grosuplje
SI-160|Hoce-Slivnica
SI-162|Horjul
SI-034|Hrastnik
SI-036|Idrija
SI-037|Ig
SI-038|Ilirska Bistrica
SI-039|Ivancna Gorica
SI-040|Izola
SI-041|Jesenice
SI-043|Kamnik
SI-044|Kanal
SI-045|Kidricevo
SI-046|Kobarid
SI-048|Kocevje
SI-050|Koper
SI-052|Kranj
SI-053|Kranjska Gora
SI-054|Krsko
SI-057|Lasko
SI-058|Lenart
SI-059|Lendava
SI-060|Litija
SI-061|Ljubljana
SI-063|Ljutomer
SI-208|Log-Dragomer
SI-064|Logatec
SI-167|Lovrenc na Pohorju
SI-070|Maribor
SI-071|Medvode
SI-072|Menges
SI-073|Metlika
SI-074|Mezica
SI-169|Miklavz na Dravskem Polju
SI-075|Miren-Kostanjevica
SI-076|Mislinja
SI-079|Mozirje
SI-080|Murska Sobota
SI-081|Muta
SI-084|Nova Gorica
SI-085|Novo Mesto
SI-086|Odranci
SI-171|Oplotnica
SI-087|Ormoz
SI-090|Piran
SI-091|Pivka
SI-200|Poljcane
SI-173|Polzela
SI-094|Postojna
SI-174|Prebold
SI-175|Prevalje
SI-096|Ptuj
SI-098|Race-Fram
SI-099|Radece
SI-100|Radenci
SI-101|Radlje ob Dravi
SI-102|Radovljica
SI-103|Ravne na Koroskem
SI-104|Ribnica
SI-106|Rogaska Slatina
SI-108|Ruse
SI-183|Sempeter-Vrtojba
SI-117|Sencur
SI-118|Sentilj
SI-120|Sentjur
SI-110|Sevnica
SI-111|Sezana
SI-122|Skofja Loka
SI-123|Skofljica
SI-112|Slovenj Gradec
SI-113|Slovenska Bistrica
SI-114|Slovenske Konjice
SI-126|Sostanj
SI-127|Store
SI-203|Straza
SI-128|Tolmin
SI-129|Trbovlje
SI-130|Trebnje
SI-131|Trzic
SI-186|Trzin
SI-132|Turnisce
SI-133|Velenje
SI-136|Vipava
SI-138|Vodice
SI-139|Vojnik
SI-140|Vrhnika
SI-141|Vuzenica
SI-142|Zagorje ob Savi
SI-190|Zalec
SI-146|Zelezniki
SI-147|Ziri
SI-144|Zrece
SI-193|Zuzemberk
SK-BC|Banskobystricky kraj
SK-BL|Bratislavsky kraj
SK-KI|Kosicky kraj
SK-NI|Nitriansky kraj
SK-PV|Presovsky kraj
SK-TC|Trenciansky kraj
SK-TA|Trnavsky kraj
SK-ZI|Zilinsky kraj
SL-E|Eastern
SL-N|Northern
SL-S|Southern
SL-W|Western Area
SM-01|Acquaviva
SM-02|Chiesanuova
SM-07|San Marino
SM-09|Serravalle
SN-DK|Dakar
SN-DB|Diourbel
SN-FK|Fatick
SN-KA|Kaffrine
SN-KL|Kaolack
SN-KE|Kedougou
SN-KD|Kolda
SN-LG|Louga
SN-MT|Matam
SN-SL|Saint-Louis
SN-SE|Sedhiou
SN-TC|Tambacounda
SN-TH|Thies
SN-ZG|Ziguinchor
SO-AW|Awdal
SO-BK|Bakool
SO-BN|Banaadir
SO-BR|Bari
SO-BY|Bay
SO-GA|Galguduud
SO-GE|Gedo
SO-HI|Hiiraan
SO-JD|Jubbada Dhexe
SO-JH|Jubbada Hoose
SO-MU|Mudug
SO-NU|Nugaal
SO-SA|Sanaag
SO-SD|Shabeellaha Dhexe
SO-SH|Shabeellaha Hoose
SO-SO|Sool
SO-TO|Togdheer
SO-WO|Woqooyi Galbeed
SR-BR|Brokopondo
SR-CM|Commewijne
SR-CR|Coronie
SR-MA|Marowijne
SR-NI|Nickerie
SR-PR|Para
SR-PM|Paramaribo
SR-SA|Saramacca
SR-WA|Wanica
SS-EC|Central Equatoria
SS-EE|Eastern Equatoria
SS-JG|Jonglei
SS-LK|Lakes
SS-BN|Northern Bahr el Ghazal
SS-UY|Unity
SS-NU|Upper Nile
SS-WR|Warrap
SS-BW|Western Bahr el Ghazal
SS-EW|Western Equatoria
ST-P|Principe
ST-S|Sao Tome
SV-AH|Ahuachapan
SV-CA|Cabanas
SV-CH|Chalatenango
SV-CU|Cuscatlan
SV-LI|La Libertad
SV-PA|La Paz
SV-UN|La Union
SV-MO|Morazan
SV-SM|San Miguel
SV-SS|San Salvador
SV-SV|San Vicente
SV-SA|Santa Ana
SV-SO|Sonsonate
SV-US|Usulutan
SY-HA|Al Hasakah
SY-LA|Al Ladhiqiyah
SY-QU|Al Qunaytirah
SY-RA|Ar Raqqah
SY-SU|As Suwayda'
SY-DR|Dar'a
SY-DY|Dayr az Zawr
SY-DI|Dimashq
SY-HL|Halab
SY-HM|Hamah
SY-HI|Hims
SY-ID|Idlib
SY-RD|Rif Dimashq
SY-TA|Tartus
SZ-HH|Hhohho
SZ-LU|Lubombo
SZ-MA|Manzini
SZ-SH|Shiselweni
TD-BG|Bahr el Gazel
TD-BA|Batha
TD-BO|Borkou
TD-CB|Chari-Baguirmi
TD-GR|Guera
TD-HL|Hadjer Lamis
TD-KA|Kanem
TD-LC|Lac
TD-LO|Logone-Occidental
TD-LR|Logone-Oriental
TD-MA|Mandoul
TD-ME|Mayo-Kebbi-Est
TD-MO|Mayo-Kebbi-Ouest
TD-MC|Moyen-Chari
TD-OD|Ouaddai
TD-SA|Salamat
TD-TA|Tandjile
TD-TI|Tibesti
TD-WF|Wadi Fira
TG-C|Centrale
TG-K|Kara
TG-M|Maritime
TG-P|Plateaux
TG-S|Savannes
TH-37|Amnat Charoen
TH-15|Ang Thong
TH-31|Buri Ram
TH-24|Chachoengsao
TH-18|Chai Nat
TH-36|Chaiyaphum
TH-22|Chanthaburi
TH-50|Chiang Mai
TH-57|Chiang Rai
TH-20|Chon Buri
TH-86|Chumphon
TH-46|Kalasin
TH-62|Kamphaeng Phet
TH-71|Kanchanaburi
TH-40|Khon Kaen
TH-81|Krabi
TH-10|Krung Thep Maha Nakhon
TH-52|Lampang
TH-51|Lamphun
TH-42|Loei
TH-16|Lop Buri
TH-58|Mae Hong Son
TH-44|Maha Sarakham
TH-49|Mukdahan
TH-26|Nakhon Nayok
TH-73|Nakhon Pathom
TH-48|Nakhon Phanom
TH-30|Nakhon Ratchasima
TH-60|Nakhon Sawan
TH-80|Nakhon Si Thammarat
TH-55|Nan
TH-96|Narathiwat
TH-39|Nong Bua Lam Phu
TH-43|Nong Khai
TH-12|Nonthaburi
TH-13|Pathum Thani
TH-94|Pattani
TH-82|Phangnga
TH-93|Phatthalung
TH-56|Phayao
TH-67|Phetchabun
TH-76|Phetchaburi
TH-66|Phichit
TH-65|Phitsanulok
TH-14|Phra Nakhon Si Ayutthaya
TH-54|Phrae
TH-83|Phuket
TH-25|Prachin Buri
TH-77|Prachuap Khiri Khan
TH-85|Ranong
TH-70|Ratchaburi
TH-21|Rayong
TH-45|Roi Et
TH-27|Sa Kaeo
TH-47|Sakon Nakhon
TH-11|Samut Prakan
TH-74|Samut Sakhon
TH-75|Samut Songkhram
TH-19|Saraburi
TH-91|Satun
TH-33|Si Sa Ket
TH-17|Sing Buri
TH-90|Songkhla
TH-64|Sukhothai
TH-72|Suphan Buri
TH-84|Surat Thani
TH-32|Surin
TH-63|Tak
TH-92|Trang
TH-23|Trat
TH-34|Ubon Ratchathani
TH-41|Udon Thani
TH-61|Uthai Thani
TH-53|Uttaradit
TH-95|Yala
TH-35|Yasothon
TJ-DU|Dushanbe
TJ-KT|Khatlon
TJ-GB|Kuhistoni Badakhshon
TJ-RA|Nohiyahoi Tobei Jumhuri
TJ-SU|Sughd
TL-DI|Dili
TM-A|Ahal
TM-B|Balkan
TM-D|Dasoguz
TM-L|Lebap
TM-M|Mary
TN-31|Beja
TN-13|Ben Arous
TN-23|Bizerte
TN-81|Gabes
TN-71|Gafsa
TN-32|Jendouba
TN-41|Kairouan
TN-42|Kasserine
TN-73|Kebili
TN-12|L'Ariana
TN-14|La Manouba
TN-33|Le Kef
TN-53|Mahdia
TN-82|Medenine
TN-52|Monastir
TN-21|Nabeul
TN-61|Sfax
TN-43|Sidi Bouzid
TN-34|Siliana
TN-51|Sousse
TN-83|Tataouine
TN-72|Tozeur
TN-11|Tunis
TN-22|Zaghouan
TO-02|Ha'apai
TO-04|Tongatapu
TO-05|Vava'u
TR-01|Adana
TR-02|Adiyaman
TR-03|Afyonkarahisar
TR-04|Agri
TR-68|Aksaray
TR-05|Amasya
TR-06|Ankara
TR-07|Antalya
TR-75|Ardahan
TR-08|Artvin
TR-09|Aydin
TR-10|Balikesir
TR-74|Bartin
TR-72|Batman
TR-69|Bayburt
TR-11|Bilecik
TR-12|Bingol
TR-13|Bitlis
TR-14|Bolu
TR-15|Burdur
TR-16|Bursa
TR-17|Canakkale
TR-18|Cankiri
TR-19|Corum
TR-20|Denizli
TR-21|Diyarbakir
TR-81|Duzce
TR-22|Edirne
TR-23|Elazig
TR-24|Erzincan
TR-25|Erzurum
TR-26|Eskisehir
TR-27|Gaziantep
TR-28|Giresun
TR-29|Gumushane
TR-30|Hakkari
TR-31|Hatay
TR-76|Igdir
TR-32|Isparta
TR-34|Istanbul
TR-35|Izmir
TR-46|Kahramanmaras
TR-78|Karabuk
TR-70|Karaman
TR-36|Kars
TR-37|Kastamonu
TR-38|Kayseri
TR-79|Kilis
TR-71|Kirikkale
TR-39|Kirklareli
TR-40|Kirsehir
TR-41|Kocaeli
TR-42|Konya
TR-43|Kutahya
TR-44|Malatya
TR-45|Manisa
TR-47|Mardin
TR-33|Mersin
TR-48|Mugla
TR-49|Mus
TR-50|Nevsehir
TR-51|Nigde
TR-52|Ordu
TR-80|Osmaniye
TR-53|Rize
TR-54|Sakarya
TR-55|Samsun
TR-63|Sanliurfa
TR-56|Siirt
TR-57|Sinop
TR-73|Sirnak
TR-58|Sivas
TR-59|Tekirdag
TR-60|Tokat
TR-61|Trabzon
TR-62|Tunceli
TR-64|Usak
TR-65|Van
TR-77|Yalova
TR-66|Yozgat
TR-67|Zonguldak
TT-ARI|Arima
TT-CHA|Chaguanas
TT-CTT|Couva-Tabaquite-Talparo
TT-DMN|Diego Martin
TT-MRC|Mayaro-Rio Claro
TT-PED|Penal-Debe
TT-PTF|Point Fortin
TT-POS|Port of Spain
TT-PRT|Princes Town
TT-SFO|San Fernando
TT-SJL|San Juan-Laventille
TT-SGE|Sangre Grande
TT-SIP|Siparia
TT-TOB|Tobago
TT-TUP|Tunapuna-Piarco
TV-FUN|Funafuti
TW-CHA|Changhua
TW-CYQ|Chiayi
TW-HSQ|Hsinchu
TW-HUA|Hualien
TW-KHH|Kaohsiung
TW-KEE|Keelung
TW-KIN|Kinmen
TW-LIE|Lienchiang
TW-MIA|Miaoli
TW-NAN|Nantou
TW-NWT|New Taipei
TW-PEN|Penghu
TW-PIF|Pingtung
TW-TXG|Taichung
TW-TNN|Tainan
TW-TPE|Taipei
TW-TTT|Taitung
TW-TAO|Taoyuan
TW-ILA|Yilan
TW-YUN|Yunlin
TZ-01|Arusha
TZ-02|Dar es Salaam
TZ-03|Dodoma
TZ-04|Iringa
TZ-05|Kagera
TZ-06|Kaskazini Pemba
TZ-07|Kaskazini Unguja
TZ-08|Kigoma
TZ-09|Kilimanjaro
TZ-10|Kusini Pemba
TZ-11|Kusini Unguja
TZ-12|Lindi
TZ-26|Manyara
TZ-13|Mara
TZ-14|Mbeya
TZ-15|Mjini Magharibi
TZ-16|Morogoro
TZ-17|Mtwara
TZ-18|Mwanza
TZ-19|Pwani
TZ-20|Rukwa
TZ-21|Ruvuma
TZ-22|Shinyanga
TZ-23|Singida
TZ-24|Tabora
TZ-25|Tanga
UA-43|Avtonomna Respublika Krym
UA-71|Cherkaska oblast
UA-74|Chernihivska oblast
UA-77|Chernivetska oblast
UA-12|Dnipropetrovska oblast
UA-14|Donetska oblast
UA-26|Ivano-Frankivska oblast
UA-63|Kharkivska oblast
UA-65|Khersonska oblast
UA-68|Khmelnytska oblast
UA-35|Kirovohradska oblast
UA-30|Kyiv
UA-32|Kyivska oblast
UA-09|Luhanska oblast
UA-46|Lvivska oblast
UA-48|Mykolaivska oblast
UA-51|Odeska oblast
UA-53|Poltavska oblast
UA-56|Rivnenska oblast
UA-40|Sevastopol'
UA-59|Sumska oblast
UA-61|Ternopilska oblast
UA-05|Vinnytska oblast
UA-07|Volynska oblast
UA-21|Zakarpatska oblast
UA-23|Zaporizka oblast
UA-18|Zhytomyrska oblast
UG-317|Abim
UG-301|Adjumani
UG-322|Agago
UG-323|Alebtong
UG-314|Amolatar
UG-324|Amudat
UG-216|Amuria
UG-319|Amuru
UG-302|Apac
UG-303|Arua
UG-217|Budaka
UG-223|Bududa
UG-201|Bugiri
UG-117|Buikwe
UG-224|Bukedea
UG-118|Bukomansibi
UG-218|Bukwa
UG-225|Bulambuli
UG-419|Buliisa
UG-401|Bundibugyo
UG-402|Bushenyi
UG-202|Busia
UG-219|Butaleja
UG-120|Buvuma
UG-226|Buyende
UG-318|Dokolo
UG-121|Gomba
UG-304|Gulu
UG-403|Hoima
UG-203|Iganga
UG-417|Isingiro
UG-204|Jinja
UG-315|Kaabong
UG-404|Kabale
UG-405|Kabarole
UG-213|Kaberamaido
UG-101|Kalangala
UG-220|Kaliro
UG-102|Kampala
UG-205|Kamuli
UG-413|Kamwenge
UG-414|Kanungu
UG-206|Kapchorwa
UG-406|Kasese
UG-207|Katakwi
UG-112|Kayunga
UG-407|Kibaale
UG-103|Kiboga
UG-227|Kibuku
UG-420|Kiryandongo
UG-408|Kisoro
UG-305|Kitgum
UG-316|Koboko
UG-326|Kole
UG-306|Kotido
UG-208|Kumi
UG-228|Kween
UG-123|Kyankwanzi
UG-421|Kyegegwa
UG-415|Kyenjojo
UG-307|Lira
UG-229|Luuka
UG-104|Luwero
UG-124|Lwengo
UG-116|Lyantonde
UG-221|Manafwa
UG-320|Maracha
UG-105|Masaka
UG-409|Masindi
UG-214|Mayuge
UG-209|Mbale
UG-410|Mbarara
UG-422|Mitooma
UG-114|Mityana
UG-308|Moroto
UG-309|Moyo
UG-106|Mpigi
UG-107|Mubende
UG-108|Mukono
UG-311|Nakapiripirit
UG-115|Nakaseke
UG-109|Nakasongola
UG-230|Namayingo
UG-222|Namutumba
UG-328|Napak
UG-310|Nebbi
UG-231|Ngora
UG-423|Ntoroko
UG-411|Ntungamo
UG-330|Otuke
UG-321|Oyam
UG-312|Pader
UG-210|Pallisa
UG-110|Rakai
UG-424|Rubirizi
UG-412|Rukungiri
UG-111|Sembabule
UG-232|Serere
UG-425|Sheema
UG-215|Sironko
UG-211|Soroti
UG-212|Tororo
UG-113|Wakiso
UG-313|Yumbe
UG-331|Zombo
UM-95|Palmyra Atoll
US-AL|Alabama
US-AK|Alaska
US-AZ|Arizona
US-AR|Arkansas
US-CA|California
US-CO|Colorado
US-CT|Connecticut
US-DE|Delaware
US-DC|District of Columbia
US-FL|Florida
US-GA|Georgia
US-HI|Hawaii
US-ID|Idaho
US-IL|Illinois
US-IN|Indiana
US-IA|Iowa
US-KS|Kansas
US-KY|Kentucky
US-LA|Louisiana
US-ME|Maine
US-MD|Maryland
US-MA|Massachusetts
US-MI|Michigan
US-MN|Minnesota
US-MS|Mississippi
US-MO|Missouri
US-MT|Montana
US-NE|Nebraska
US-NV|Nevada
US-NH|New Hampshire
US-NJ|New Jersey
US-NM|New Mexico
US-NY|New York
US-NC|North Carolina
US-ND|North Dakota
US-OH|Ohio
US-OK|Oklahoma
US-OR|Oregon
US-PA|Pennsylvania
US-RI|Rhode Island
US-SC|South Carolina
US-SD|South Dakota
US-TN|Tennessee
US-TX|Texas
US-UT|Utah
US-VT|Vermont
US-VA|Virginia
US-WA|Washington
US-WV|West Virginia
US-WI|Wisconsin
US-WY|Wyoming
UY-AR|Artigas
UY-CA|Canelones
UY-CL|Cerro Largo
UY-CO|Colonia
UY-DU|Durazno
UY-FS|Flores
UY-FD|Florida
UY-LA|Lavalleja
UY-MA|Maldonado
UY-MO|Montevideo
UY-PA|Paysandu
UY-RN|Rio Negro
UY-RV|Rivera
UY-RO|Rocha
UY-SA|Salto
UY-SJ|San Jose
UY-SO|Soriano
UY-TA|Tacuarembo
UY-TT|Treinta y Tres
UZ-AN|Andijon
UZ-BU|Buxoro
UZ-FA|Farg'ona
UZ-JI|Jizzax
UZ-NG|Namangan
UZ-NW|Navoiy
UZ-QA|Qashqadaryo
UZ-QR|Qoraqalpog'iston Respublikasi
UZ-SA|Samarqand
UZ-SI|Sirdaryo
UZ-SU|Surxondaryo
UZ-TK|Toshkent
UZ-XO|Xorazm
VC-01|Charlotte
VC-04|Saint George
VE-Z|Amazonas
VE-B|Anzoategui
VE-C|Apure
VE-D|Aragua
VE-E|Barinas
VE-F|Bolivar
VE-G|Carabobo
VE-H|Cojedes
VE-Y|Delta Amacuro
VE-A|Distrito Capital
VE-I|Falcon
VE-J|Guarico
VE-K|Lara
VE-L|Merida
VE-M|Miranda
VE-N|Monagas
VE-O|Nueva Esparta
VE-P|Portuguesa
VE-R|Sucre
VE-S|Tachira
VE-T|Trujillo
VE-X|Vargas
VE-U|Yaracuy
VE-V|Zulia
VN-44|An Giang
VN-54|Bac Giang
VN-53|Bac Kan
VN-55|Bac Lieu
VN-56|Bac Ninh
VN-50|Ben Tre
VN-31|Binh Dinh
VN-57|Binh Duong
VN-58|Binh Phuoc
VN-40|Binh Thuan
VN-59|Ca Mau
VN-CT|Can Tho
VN-04|Cao Bang
VN-DN|Da Nang
VN-33|Dak Lak
VN-71|Dien Bien
VN-39|Dong Nai
VN-45|Dong Thap
VN-30|Gia Lai
VN-03|Ha Giang
VN-63|Ha Nam
VN-HN|Ha Noi
VN-23|Ha Tinh
VN-61|Hai Duong
VN-HP|Hai Phong
VN-SG|Ho Chi Minh
VN-14|Hoa Binh
VN-66|Hung Yen
VN-34|Khanh Hoa
VN-47|Kien Giang
VN-01|Lai Chau
VN-35|Lam Dong
VN-09|Lang Son
VN-02|Lao Cai
VN-41|Long An
VN-67|Nam Dinh
VN-22|Nghe An
VN-18|Ninh Binh
VN-36|Ninh Thuan
VN-68|Phu Tho
VN-32|Phu Yen
VN-24|Quang Binh
VN-27|Quang Nam
VN-29|Quang Ngai
VN-13|Quang Ninh
VN-25|Quang Tri
VN-52|Soc Trang
VN-05|Son La
VN-37|Tay Ninh
VN-20|Thai Binh
VN-69|Thai Nguyen
VN-21|Thanh Hoa
VN-26|Thua Thien-Hue
VN-46|Tien Giang
VN-51|Tra Vinh
VN-07|Tuyen Quang
VN-49|Vinh Long
VN-70|Vinh Phuc
VN-06|Yen Bai
VU-MAP|Malampa
VU-SAM|Sanma
VU-SEE|Shefa
VU-TAE|Tafea
VU-TOB|Torba
WF-UV|Uvea
WS-AA|A'ana
WS-AT|Atua
WS-GI|Gagaifomauga
WS-PA|Palauli
WS-TU|Tuamasaga
YE-AD|'Adan
YE-AM|'Amran
YE-AB|Abyan
YE-DA|Ad Dali'
YE-BA|Al Bayda'
YE-HU|Al Hudaydah
YE-JA|Al Jawf
YE-MR|Al Mahrah
YE-MW|Al Mahwit
YE-SA|Amanat al 'Asimah
YE-DH|Dhamar
YE-HD|Hadramawt
YE-HJ|Hajjah
YE-IB|Ibb
YE-LA|Lahij
YE-MA|Ma'rib
YE-RA|Raymah
YE-SD|Sa'dah
YE-SN|San'a'
YE-SH|Shabwah
YE-TA|Ta'izz
ZA-EC|Eastern Cape
ZA-FS|Free State
ZA-GT|Gauteng
ZA-NL|Kwazulu-Natal
ZA-LP|Limpopo
ZA-MP|Mpumalanga
ZA-NW|North-West
ZA-NC|Northern Cape
ZA-WC|Western Cape
ZM-02|Central
ZM-08|Copperbelt
ZM-03|Eastern
ZM-04|Luapula
ZM-09|Lusaka
ZM-06|North-Western
ZM-05|Northern
ZM-07|Southern
ZM-01|Western
ZW-BU|Bulawayo
ZW-HA|Harare
ZW-MA|Manicaland
ZW-MC|Mashonaland Central
ZW-ME|Mashonaland East
ZW-MW|Mashonaland West
ZW-MV|Masvingo
ZW-MN|Matabeleland North
ZW-MS|Matabeleland South
ZW-MI|Midlands
"""
