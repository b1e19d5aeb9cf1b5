// The message catalogue: every text the app shows, in English and Japanese, by key.
// `error.<code>` words each `AppError.code` (tauri-app/IPC.md); a Rust test checks every code the
// core can classify has its entry here.

import type { Lang } from "../i18n";

export const catalogue = {
  // App frame
  "app.name": { en: "Kazasu", ja: "Kazasu" },
  "app.title": { en: "Kazasu: My Number Card", ja: "Kazasu: マイナンバーカード" },
  "lang.other": { en: "日本語", ja: "English" },
  "lang.switch": { en: "表示言語を日本語に切り替える", ja: "Switch the language to English" },
  "nav.label": { en: "Tasks", ja: "操作" },
  "nav.readers": { en: "Card reader", ja: "カードリーダー" },
  "nav.overview": { en: "My card", ja: "カードの状態" },
  "nav.login": { en: "Log in", ja: "ログイン" },
  "nav.sign": { en: "Sign a file", ja: "文書に署名" },
  "nav.pin": { en: "Change PIN", ja: "暗証番号の変更" },
  "nav.surface": { en: "Card face", ja: "券面の確認" },
  "header.noReader": { en: "No card reader chosen", ja: "カードリーダー未選択" },
  "header.reader": { en: "Reader: {name}", ja: "読み取り: {name}" },
  "footer.version": { en: "Kazasu {version}", ja: "Kazasu {version}" },

  // How readers are named
  "reader.nfcDefault": { en: "NFC reader (libnfc default device)", ja: "NFCリーダー（libnfc の既定の機器）" },
  "reader.nfc": { en: "NFC reader {connstring}", ja: "NFCリーダー {connstring}" },
  "reader.simulator": { en: "Simulator at {address}", ja: "シミュレーター（{address}）" },
  "reader.phone": { en: "This phone (NFC)", ja: "このスマートフォン（NFC）" },

  // Progress
  "progress.start": { en: "Working with the card…", ja: "カードと通信しています…" },
  "progress.startPhone": {
    en: "Hold your card flat against the back of the phone…",
    ja: "カードをスマートフォンの背面にかざしてください…",
  },
  "step.connecting": { en: "Connecting to the card…", ja: "カードに接続しています…" },
  "step.reading": { en: "Reading the card…", ja: "カードを読み取っています…" },
  "step.readingFile": { en: "Reading the file…", ja: "ファイルを読み込んでいます…" },
  "step.checking_pin": {
    en: "Checking how many PIN tries are left…",
    ja: "暗証番号の残り回数を確認しています…",
  },
  "step.verifying_pin": { en: "The card is checking your PIN…", ja: "カードが暗証番号を確認しています…" },
  "step.hashing": { en: "Reading the file and computing its hash…", ja: "ファイルを読み込み、ハッシュ値を計算しています…" },
  "step.hashingPercent": {
    en: "Reading the file and computing its hash… {percent}%",
    ja: "ファイルを読み込み、ハッシュ値を計算しています…（{percent}%）",
  },
  "step.signing": { en: "The card is signing…", ja: "カードで署名しています…" },
  "step.contacting_service": { en: "Contacting the login service…", ja: "ログイン先のサービスと通信しています…" },
  "step.writing": { en: "Saving the signed file…", ja: "署名済みファイルを保存しています…" },
  "step.verifying": { en: "Checking the new signature…", ja: "作成した署名を検証しています…" },
  "step.done": { en: "Done.", ja: "完了しました。" },
  "step.checkingCode": {
    en: "Checking how many tries the code has left…",
    ja: "照合番号の残り回数を確認しています…",
  },
  "step.readingFace": {
    en: "The card is checking the code and reading its face…",
    ja: "カードが照合番号を確認し、券面の情報を読み取っています…",
  },

  // Common
  "common.detail": { en: " Details: {reason}", ja: "（詳細: {reason}）" },
  "common.notSent": { en: "Nothing was sent to the card.", ja: "カードには何も送っていません。" },

  // Readers screen
  "readers.title": { en: "How is your card connected?", ja: "カードの読み取り方法" },
  "readers.intro": {
    en: "Choose the card reader your My Number Card is on. Choosing a reader sends nothing to the card.",
    ja: "マイナンバーカードを置くカードリーダーを選んでください。選ぶだけでは、カードには何も送られません。",
  },
  "readers.legend": { en: "Card readers", ja: "カードリーダー" },
  "readers.loading": { en: "Looking for card readers…", ja: "カードリーダーを探しています…" },
  "readers.cardPresent": { en: "card present", ja: "カードあり" },
  "readers.noCard": { en: "no card", ja: "カードなし" },
  "readers.pcscNone": {
    en: "No USB card reader was found. Connect a reader, then press “Look again”.",
    ja: "USB カードリーダーが見つかりません。カードリーダーを接続してから「もう一度探す」を押してください。",
  },
  "readers.pcscError": {
    en: "The smart-card service (PC/SC; pcscd on Linux) cannot be reached, so USB card readers cannot be listed. Check that pcscd is installed and running (for example: sudo systemctl start pcscd.socket), then press “Look again”.",
    ja: "IC カードのサービス（PC/SC、Linux では pcscd）に接続できないため、USB カードリーダーを一覧にできません。pcscd がインストールされ起動していることを確認してから（例: sudo systemctl start pcscd.socket）、「もう一度探す」を押してください。",
  },
  "readers.nfc": { en: "NFC reader through libnfc (for example PN532)", ja: "libnfc 経由の NFC リーダー（PN532 など）" },
  "readers.nfcConnstring": { en: "Device (optional)", ja: "接続先（省略可）" },
  "readers.nfcHint": {
    en: "Leave empty to use libnfc's default device.",
    ja: "空欄のままにすると、libnfc の既定の機器を使います。",
  },
  "readers.simulator": { en: "Card simulator (kazasu-sim)", ja: "カードシミュレーター（kazasu-sim）" },
  "readers.simulatorDev": { en: "Card simulator (for development)", ja: "カードシミュレーター（開発用）" },
  "readers.simulatorAddress": { en: "Address", ja: "アドレス" },
  "readers.simulatorHint": {
    en: "A simulated card started with: kazasu-sim serve --tcp HOST:PORT",
    ja: "次のコマンドで起動した模擬カード: kazasu-sim serve --tcp HOST:PORT",
  },
  "readers.simulatorRequired": {
    en: "Enter the simulator's address, for example 127.0.0.1:35963.",
    ja: "シミュレーターのアドレスを入力してください（例: 127.0.0.1:35963）。",
  },
  "readers.phone": { en: "Hold your card to the phone", ja: "カードをスマートフォンにかざす" },
  "readers.phoneHint": {
    en: "Uses this phone's NFC. Each time the card is needed, you will be asked to hold it to the back of the phone.",
    ja: "このスマートフォンの NFC を使います。カードが必要になるたびに、スマートフォンの背面にかざすよう案内します。",
  },
  "readers.chooseOne": { en: "Choose one of the options above.", ja: "上の選択肢から1つ選んでください。" },
  "readers.refresh": { en: "Look again", ja: "もう一度探す" },
  "readers.continue": { en: "Use this reader", ja: "この方法で読み取る" },

  // Overview screen
  "overview.title": { en: "My card", ja: "カードの状態" },
  "overview.before": {
    en: "Reading the card: no PIN is needed and no tries are used.",
    ja: "カードを読み取ります。暗証番号は不要で、残り回数も減りません。",
  },
  "overview.phoneHint": {
    en: "Keep the card against the back of the phone until reading is finished.",
    ja: "読み取りが終わるまで、カードをスマートフォンの背面に当てたままにしてください。",
  },
  "overview.read": { en: "Read the card", ja: "カードを読み取る" },
  "overview.refresh": { en: "Read the card again", ja: "もう一度読み取る" },
  "overview.reader": { en: "Read with: {reader}", ja: "読み取り: {reader}" },
  "overview.asOf": { en: "As of {date} (Japan time).", ja: "{date}時点（日本時間）" },
  "overview.certs": { en: "Electronic certificates", ja: "電子証明書" },
  "overview.caCerts": { en: "Certificate authority certificates on the card", ja: "カード内の認証局の証明書" },
  "overview.pins": { en: "PINs", ja: "暗証番号" },
  "overview.surface": { en: "See the card face", ja: "券面を確認する" },
  "overview.surfaceHint": {
    en: "Shows the photo, name, address and the other facts printed on the card, as the card's chip stores them (a code is needed).",
    ja: "カードの IC チップに記録された顔写真・氏名・住所など、券面に記載された情報を表示します（照合番号が必要です）。",
  },
  "overview.validityRule": {
    en: "A certificate is valid until your 5th birthday after it was issued (or until the card expires, if that comes first). It can be renewed at your municipal office from 3 months before it expires.",
    ja: "電子証明書の有効期限は、原則として発行日から5回目の誕生日までです（カードの有効期限の方が早い場合はその日まで）。有効期限の3か月前から、市区町村の窓口で更新できます。",
  },

  // Certificates
  "cert.auth": { en: "User-authentication certificate", ja: "利用者証明用電子証明書" },
  "cert.sign": { en: "Signing certificate", ja: "署名用電子証明書" },
  "cert.auth_ca": { en: "Issuer of the user-authentication certificate", ja: "利用者証明用電子証明書の発行元（認証局）" },
  "cert.sign_ca": { en: "Issuer of the signing certificate", ja: "署名用電子証明書の発行元（認証局）" },
  "cert.authPurpose": {
    en: "Proves that the person logging in is you: government sites such as Myna Portal, online banking, kiosk terminals and certificates issued at convenience stores. It holds no personal details.",
    ja: "ログインしているのが本人であることを証明します。マイナポータルなどの行政サイト、ネットバンキング、キオスク端末、コンビニでの証明書交付などで使います。氏名や住所などの個人情報は含まれません。",
  },
  "cert.signPurpose": {
    en: "Proves that a document is genuine and was made and sent by you: e-Tax and other online applications, registering for online banking. It holds your name, address, date of birth and sex.",
    ja: "電子文書が本物で、あなたが作成・送信したことを証明します。e-Tax などの電子申請や、ネットバンキングの利用登録などで使います。氏名・住所・生年月日・性別が記録されています。",
  },
  "cert.caPurpose": {
    en: "The certificate authority's own certificate, stored on the card to check the certificate above.",
    ja: "上の証明書を確かめるためにカードに記録されている、認証局自身の証明書です。",
  },
  "cert.subject": { en: "Subject", ja: "発行先" },
  "cert.issuer": { en: "Issuer", ja: "発行者" },
  "cert.serial": { en: "Serial number", ja: "シリアル番号" },
  "cert.expiresOn": { en: "Last valid day", ja: "有効期限" },
  "cert.signNeedsPin": {
    en: "Because this certificate holds personal data (name, address, date of birth, sex), the card only releases it after the signing PIN is entered. It is read when you sign a document, not here.",
    ja: "この証明書には個人情報（氏名・住所・生年月日・性別）が含まれているため、署名用暗証番号を入力したときにだけカードから読み出せます。ここでは読み取らず、文書に署名するときに読み取ります。",
  },
  "cert.needsPin": {
    en: "This certificate can only be read with the {pin}.",
    ja: "この証明書は{pin}を入力したときにだけ読み取れます。",
  },
  "cert.unavailable": { en: "Could not be read: {reason}", ja: "読み取れませんでした: {reason}" },
  "cert.missing": { en: "Not found on the card.", ja: "カードに記録されていません。" },
  "cert.signRevocation": {
    en: "When you move house or your name changes (for example on marriage), the signing certificate is revoked automatically. That is expected, not a fault: a new one is issued at your municipal office. The user-authentication certificate is not revoked.",
    ja: "引っ越しや結婚などで住所や氏名が変わると、署名用電子証明書は自動的に失効します。これは故障ではなく、決まりどおりの動作です。市区町村の窓口で新しい証明書の発行を受けてください。利用者証明用電子証明書は失効しません。",
  },
  "lifecycle.valid": { en: "Valid until {date}.", ja: "{date}まで有効です。" },
  "lifecycle.renewal": {
    en: "Valid until {date}. Renewal has been open since {opens}: renew it at your municipal office.",
    ja: "{date}まで有効です。{opens}から更新の受付が始まっています。市区町村の窓口で更新してください。",
  },
  "lifecycle.expired": {
    en: "Expired: it was valid until {date}. A new certificate is issued at your municipal office.",
    ja: "有効期限（{date}）が過ぎています。市区町村の窓口で新しい電子証明書の発行を受けてください。",
  },
  "lifecycle.notYet": {
    en: "Not valid yet: it becomes valid on {date}.",
    ja: "まだ有効期間が始まっていません（{date}から有効）。",
  },

  // PINs
  "pin.auth": { en: "user-authentication PIN", ja: "利用者証明用暗証番号" },
  "pin.sign": { en: "signing PIN", ja: "署名用暗証番号" },
  "pin.card_info": { en: "card-information PIN", ja: "券面事項入力補助用暗証番号" },
  "pin.authTitle": { en: "User-authentication PIN", ja: "利用者証明用暗証番号" },
  "pin.signTitle": { en: "Signing PIN", ja: "署名用暗証番号" },
  "pin.card_infoTitle": { en: "Card-information PIN", ja: "券面事項入力補助用暗証番号" },
  "pin.authUse": { en: "Used to log in.", ja: "ログインに使います。" },
  "pin.signUse": { en: "Used to sign documents.", ja: "文書への署名に使います。" },
  "pin.card_infoUse": {
    en: "Lets an application read the name, address, date of birth and sex printed on the card.",
    ja: "カードに記載された氏名・住所・生年月日・性別をアプリに読み取らせるときに使います。",
  },
  "pin.surface_code_a": { en: "card-face code A (your My Number)", ja: "照合番号A（マイナンバー）" },
  "pin.surface_code_b": { en: "card-face code B", ja: "照合番号B" },
  "pin.surface_code_aTitle": { en: "Code A: your My Number", ja: "照合番号A: マイナンバー（個人番号）" },
  "pin.surface_code_bTitle": {
    en: "Code B: birth date, expiry year and security code",
    ja: "照合番号B: 生年月日・有効期限の西暦年・セキュリティコード",
  },
  "pin.surface_code_aUse": {
    en: "Opens the card face and the image of your My Number.",
    ja: "券面の情報と、マイナンバーの画像を読み取れます。",
  },
  "pin.surface_code_bUse": {
    en: "Opens the card face without your My Number.",
    ja: "マイナンバーを除く券面の情報を読み取れます。",
  },
  "pin.surface_code_aRule": {
    en: "The 12-digit My Number printed on the back of the card.",
    ja: "カードの裏面に記載された12桁のマイナンバー（個人番号）です。",
  },
  "pin.surface_code_bRule": {
    en: "14 digits: your birth date as YYMMDD in the Japanese era year (Heisei 2, 15 March is 020315), the year the card expires (YYYY), and the 4-digit security code printed on the front.",
    ja: "14桁の数字です。和暦の生年月日6桁（平成2年3月15日なら 020315）、カードの有効期限の西暦年4桁、表面に記載されたセキュリティコード4桁を続けて入力します。",
  },
  "pin.digitsRule": {
    en: "Exactly 4 digits. It locks after 3 wrong entries in a row.",
    ja: "数字4桁です。3回続けて間違えるとロックされます。",
  },
  "pin.signRule": {
    en: "6 to 16 characters: capital letters A–Z and digits 0–9, with at least one letter and at least one digit. It locks after 5 wrong entries in a row.",
    ja: "英大文字（A〜Z）と数字（0〜9）の6〜16文字で、英字と数字をそれぞれ1文字以上含みます。5回続けて間違えるとロックされます。",
  },
  "tries.label": { en: "Tries left:", ja: "残り回数:" },
  "tries.count": { en: "{left} / {max}", ja: "{left} / {max}" },
  "tries.countOnly": { en: "{left}", ja: "{left}回" },
  "tries.verified": { en: "verified", ja: "確認済み" },
  "tries.locked": { en: "locked", ja: "ロック中" },
  "tries.unknown": { en: "not checked yet", ja: "未確認" },
  "tries.loading": { en: "checking…", ja: "確認中…" },
  "tries.failed": { en: "could not be read", ja: "読み取れませんでした" },
  "tries.check": { en: "Check tries left", ja: "残り回数を確認" },
  "tries.lastTry": {
    en: "Last try: a wrong PIN now locks it; only your municipal office can unlock it.",
    ja: "残り1回です。次に間違えるとロックされ、市区町村の窓口でしか解除できません。",
  },
  "tries.lastTryCode": {
    en: "Last try: a wrong code now locks it; only your municipal office can unlock it.",
    ja: "残り1回です。次に間違えるとロックされ、市区町村の窓口でしか解除できません。",
  },
  "tries.lockedExplain": {
    en: "This PIN is locked. It cannot be unlocked at home: take the card and a photo ID to the municipal office where you live to have it reset.",
    ja: "この暗証番号はロックされています。ご自身では解除できません。カードと顔写真付きの本人確認書類を持って、お住まいの市区町村の窓口で暗証番号を再設定してください。",
  },
  "tries.lockedExplainCode": {
    en: "This code is locked, so the card face cannot be read with it. It cannot be unlocked at home: take the card and a photo ID to the municipal office where you live.",
    ja: "この照合番号はロックされているため、券面の情報を読み取れません。ご自身では解除できません。カードと顔写真付きの本人確認書類を持って、お住まいの市区町村の窓口へお越しください。",
  },

  // PIN format (checked before anything is sent)
  "pinFormat.empty": { en: "Enter the PIN.", ja: "暗証番号を入力してください。" },
  "pinFormat.digits4": { en: "The PIN is exactly 4 digits (0–9).", ja: "暗証番号は数字4桁です。" },
  "pinFormat.signChars": {
    en: "Use only capital letters A–Z and digits 0–9.",
    ja: "英大文字（A〜Z）と数字（0〜9）だけを使ってください。",
  },
  "pinFormat.signLength": { en: "The signing PIN has 6 to 16 characters.", ja: "署名用暗証番号は6〜16文字です。" },
  "pinFormat.signMix": {
    en: "The signing PIN has at least one letter and at least one digit.",
    ja: "署名用暗証番号には、英字と数字をそれぞれ1文字以上含めてください。",
  },
  "pinFormat.codeEmpty": { en: "Enter the code.", ja: "照合番号を入力してください。" },
  "pinFormat.codeA": {
    en: "Code A is your 12-digit My Number (digits 0–9 only).",
    ja: "照合番号Aは12桁のマイナンバーです（数字のみ）。",
  },
  "pinFormat.codeB": {
    en: "Code B is 14 digits: birth date (6), expiry year (4) and security code (4).",
    ja: "照合番号Bは14桁の数字です（生年月日6桁・有効期限の西暦年4桁・セキュリティコード4桁）。",
  },

  // Log in screen
  "login.title": { en: "Log in with your card", ja: "カードでログイン" },
  "login.intro": {
    en: "Log in to a website with your user-authentication certificate.",
    ja: "利用者証明用電子証明書を使って、ウェブサイトにログインします。",
  },
  "login.url": { en: "Login page address", ja: "ログインページのアドレス" },
  "login.urlHint": {
    en: "Paste the address of the site's login page, or the address in its QR code.",
    ja: "サイトのログインページのアドレス、または QR コードに含まれるアドレスを貼り付けてください。",
  },
  "login.urlPlaceholder": { en: "https://…", ja: "https://…" },
  "login.urlInvalid": {
    en: "Enter an address that starts with https:// (or http://).",
    ja: "https://（または http://）で始まるアドレスを入力してください。",
  },
  "login.pin": { en: "User-authentication PIN (4 digits)", ja: "利用者証明用暗証番号（数字4桁）" },
  "login.what": {
    en: "The card will sign a one-time login request for {origin}. The card checks your 4-digit PIN; a wrong PIN uses one of your tries.",
    ja: "{origin} への1回限りのログイン要求に、カードで署名します。カードが4桁の暗証番号を確認します。間違えると残り回数が1回減ります。",
  },
  "login.whatNoOrigin": { en: "the site above", ja: "上記のサイト" },
  "login.asks": {
    en: "{client} asks for: {claims} (read from your signing certificate).",
    ja: "{client} が次の情報を求めています: {claims}（署名用電子証明書から読み取ります）。",
  },
  "login.asksNothing": {
    en: "{client} asks only to confirm it is you: no personal data is sent.",
    ja: "{client} は本人確認のみを求めています。個人情報は送られません。",
  },
  "login.asking": { en: "Checking who asks…", ja: "要求元を確認しています…" },
  "login.signPin": { en: "Signing PIN (6–16 letters and digits)", ja: "署名用暗証番号（英数字6〜16文字）" },
  "login.signPinWhy": {
    en: "Your signing PIN proves the personal data above comes from your card. It is asked only because you agreed to share it.",
    ja: "署名用暗証番号で、上記の情報がご自身のカードのものであることを証明します。共有に同意した場合にのみ求められます。",
  },
  "login.claim.name": { en: "name", ja: "氏名" },
  "login.claim.address": { en: "address", ja: "住所" },
  "login.claim.birthdate": { en: "date of birth", ja: "生年月日" },
  "login.claim.gender": { en: "gender", ja: "性別" },
  "login.submit": { en: "Log in", ja: "ログインする" },
  "login.done": { en: "Logged in to {origin}.", ja: "{origin} にログインしました。" },
  "login.serial": { en: "Certificate serial number: {serial}", ja: "証明書のシリアル番号: {serial}" },
  "login.expires": { en: "The session ends at {time}.", ja: "セッションの終了時刻: {time}" },

  // Sign screen
  "sign.title": { en: "Sign a document", ja: "文書に署名" },
  "sign.intro": {
    en: "Sign a file with your signing certificate. The signature contains that certificate, so whoever receives the signed file can see your name, address, date of birth and sex.",
    ja: "署名用電子証明書でファイルに署名します。署名にはこの証明書が含まれるため、署名済みファイルを受け取った人は、あなたの氏名・住所・生年月日・性別を見ることができます。",
  },
  "sign.input": { en: "File to sign", ja: "署名するファイル" },
  "sign.browse": { en: "Choose file…", ja: "ファイルを選択…" },
  "sign.output": { en: "Save the signed file as", ja: "署名済みファイルの保存先" },
  "sign.saveAs": { en: "Save as…", ja: "保存先を選択…" },
  "sign.pdfHint": {
    en: "PDF: the signature is placed inside a copy of the PDF.",
    ja: "PDF: PDF のコピーの中に署名を入れます。",
  },
  "sign.otherHint": {
    en: "This file is not a PDF: the signature is saved as a separate .p7s file. Send it together with the original.",
    ja: "PDF ではないため、署名を別の .p7s ファイルとして保存します。元のファイルと一緒に送ってください。",
  },
  "sign.visible": { en: "Show a visible signature box on page 1", ja: "1ページ目に署名欄を表示する" },
  "sign.visibleOnlyPdf": { en: "(PDF files only)", ja: "（PDF のみ）" },
  "sign.pin": { en: "Signing PIN (6–16 letters and digits)", ja: "署名用暗証番号（英数字6〜16文字）" },
  "sign.what": {
    en: "First the file is read and its hash (a fingerprint of its content) is computed. Then the card checks your signing PIN (5 tries; a wrong PIN uses one) and signs once. {result} is saved at {output}. The original file is never changed.",
    ja: "まずファイルを読み込み、ハッシュ値（内容の指紋のようなもの）を計算します。次にカードが署名用暗証番号を確認し（5回まで。間違えると残り回数が1回減ります）、1回だけ署名します。{result}は {output} に保存されます。元のファイルは変更されません。",
  },
  "sign.whatPdf": { en: "The signed PDF", ja: "署名済みの PDF" },
  "sign.whatP7s": { en: "The signature file (.p7s)", ja: "署名ファイル（.p7s）" },
  "sign.whatUnknown": { en: "The signed PDF or the .p7s signature file", ja: "署名済みの PDF または署名ファイル（.p7s）" },
  "sign.whatNoOutput": { en: "the place given above", ja: "上で指定した場所" },
  "sign.inputRequired": { en: "Choose the file to sign.", ja: "署名するファイルを選んでください。" },
  "sign.outputRequired": { en: "Choose where to save the signed file.", ja: "署名済みファイルの保存先を指定してください。" },
  "sign.sameFile": {
    en: "Save the signed file under a different name than the original.",
    ja: "署名済みファイルは、元のファイルとは別の名前で保存してください。",
  },
  "sign.submit": { en: "Sign", ja: "署名する" },
  "sign.overwriteAsk": {
    en: "A file already exists at {path}. Replace it with the signed file?",
    ja: "{path} には既にファイルがあります。署名済みファイルで置き換えますか？",
  },
  "sign.overwriteConfirm": { en: "Replace it and sign", ja: "置き換えて署名する" },
  "sign.overwriteCancel": { en: "Keep the existing file", ja: "置き換えない" },
  "sign.done": { en: "Signed and saved.", ja: "署名して保存しました。" },
  "sign.savedAt": { en: "Saved at", ja: "保存先" },
  "sign.format": { en: "Format", ja: "形式" },
  "sign.formatPades": { en: "Signature inside the PDF (PAdES)", ja: "PDF 内の署名（PAdES）" },
  "sign.formatCades": { en: "Separate signature file (CAdES, .p7s)", ja: "別ファイルの署名（CAdES、.p7s）" },
  "sign.signer": { en: "Signer", ja: "署名者" },
  "sign.time": { en: "Signing time", ja: "署名日時" },
  "sign.verification": { en: "Check of the new signature", ja: "作成した署名の検証" },
  "sign.profile": { en: "How long the signature must hold", ja: "署名の種類（どれだけ長く証明できるか）" },
  "sign.profileUnknown": {
    en: "Choose the file first: the kinds of signature depend on whether it is a PDF.",
    ja: "先にファイルを選んでください。選べる署名の種類は PDF かどうかで変わります。",
  },
  "sign.whatTimestamp": {
    en: "After the card has signed, the timestamp service {tsa} is asked for a trusted timestamp (this needs the network).",
    ja: "カードが署名した後、タイムスタンプサービス {tsa} に信頼できるタイムスタンプを要求します（ネットワーク接続が必要です）。",
  },
  "sign.profileUsed": { en: "Kind of signature", ja: "署名の種類" },
  "sign.level": { en: "Level found by the check", ja: "検証で確認したレベル" },
  "profile.pades-b": { en: "Standard", ja: "標準" },
  "profile.pades-b.about": {
    en: "valid while your certificate is (up to five years)",
    ja: "署名用電子証明書の有効期間中（最長5年）有効です",
  },
  "profile.cades-b": { en: "Standard", ja: "標準" },
  "profile.cades-b.about": {
    en: "valid while your certificate is (up to five years); saved as a separate .p7s file",
    ja: "署名用電子証明書の有効期間中（最長5年）有効です。別の .p7s ファイルとして保存します",
  },
  "profile.pades-b-t": { en: "With a timestamp", ja: "タイムスタンプ付き" },
  "profile.pades-b-t.about": {
    en: "adds a trusted timestamp proving when it was signed",
    ja: "署名した日時を証明する信頼できるタイムスタンプを加えます",
  },
  "profile.cades-t": { en: "With a timestamp", ja: "タイムスタンプ付き" },
  "profile.cades-t.about": {
    en: "adds a trusted timestamp proving when it was signed",
    ja: "署名した日時を証明する信頼できるタイムスタンプを加えます",
  },
  "profile.pades-b-lt": { en: "Keeps its proof for years", ja: "長期間証明できる" },
  "profile.pades-b-lt.about": {
    en: "adds a trusted timestamp and the revocation data, so it can still be checked after your certificate expires",
    ja: "信頼できるタイムスタンプと失効情報を加えます。証明書の有効期限が切れた後も検証できます",
  },
  "profile.cades-lt": { en: "Keeps its proof for years", ja: "長期間証明できる" },
  "profile.cades-lt.about": {
    en: "adds a trusted timestamp and the revocation data to the .p7s file, so it can still be checked after your certificate expires",
    ja: "信頼できるタイムスタンプと失効情報を .p7s ファイルに加えます。証明書の有効期限が切れた後も検証できます",
  },
  "profile.pades-b-lta": { en: "For decades (archives)", ja: "数十年の保存（アーカイブ）" },
  "profile.pades-b-lta.about": {
    en: "like the one above, plus an archive timestamp that can be renewed before it runs out",
    ja: "上記に加え、期限が来る前に更新できるアーカイブタイムスタンプを付けます",
  },
  "profile.government": { en: "For government filings", ja: "行政手続き用" },
  "profile.government.about": {
    en: "the format e-Gov and the registry accept, no timestamp",
    ja: "e-Gov や登記で受け付けられる形式です（タイムスタンプなし）",
  },
  "profile.missing.tsa": {
    en: "Needs a timestamp service, and none is set: put its address in tsa.toml (url = \"https://…\") in {folder}.",
    ja: "タイムスタンプサービスが設定されていないため選べません。{folder} の tsa.toml にその URL（url = \"https://…\"）を書いてください。",
  },
  "profile.missing.tsa_settings": {
    en: "Needs a timestamp service, and tsa.toml cannot be used: {reason}",
    ja: "タイムスタンプサービスの設定（tsa.toml）が使えないため選べません: {reason}",
  },
  "profile.missing.tsa_trust": {
    en: "Needs the timestamp service's CA certificate in the tsa folder of {folder}.",
    ja: "{folder} の tsa フォルダーにタイムスタンプサービスの認証局の証明書を置いてください。",
  },
  "profile.missing.revocation": {
    en: "Needs the revocation list (CRL) of your certificate's issuer in {folder}.",
    ja: "{folder} に署名用電子証明書の発行元の失効リスト（CRL）を置いてください。",
  },
  "profile.noTrustDir": { en: "the trust folder (KAZASU_TRUST_DIR)", ja: "信頼フォルダー（KAZASU_TRUST_DIR）" },
  "verify.trusted": {
    en: "The signature is valid, and its certificate chain leads to a trusted certificate authority.",
    ja: "署名は有効で、証明書は信頼できる認証局までたどれました。",
  },
  "verify.noAnchors": {
    en: "The signature is valid, but its certificate chain could not be checked on this computer: no trusted authority certificates (trust anchors) are set up here.",
    ja: "署名は有効ですが、このコンピューターには信頼する認証局の証明書（トラストアンカー）が設定されていないため、証明書の連鎖は確認できませんでした。",
  },
  "verify.untrusted": {
    en: "The signature is valid, but its certificate chain did not lead to any trusted certificate authority set up on this computer.",
    ja: "署名は有効ですが、このコンピューターに設定された信頼できる認証局まで証明書をたどれませんでした。",
  },
  "verify.invalid": {
    en: "The new signature did not pass the checks below. Do not send this file; try signing again.",
    ja: "作成した署名が以下の検証に合格しませんでした。このファイルは送らずに、もう一度署名してください。",
  },
  "outcome.passed": { en: "passed", ja: "合格" },
  "outcome.failed": { en: "failed", ja: "不合格" },
  "outcome.not_checked": { en: "not checked", ja: "未確認" },
  "check.content": { en: "Content", ja: "内容" },
  "check.signature": { en: "Signature", ja: "署名値" },
  "check.signing_certificate": { en: "Signer's certificate", ja: "署名者証明書の指定" },
  "check.chain": { en: "Certificate authority", ja: "認証局" },
  "check.validity": { en: "Validity", ja: "有効期間" },
  "check.key_usage": { en: "Key usage", ja: "鍵用途" },
  "check.revocation": { en: "Revocation", ja: "失効" },
  "check.timestamp": { en: "Timestamp", ja: "タイムスタンプ" },

  // Card face screen
  "surface.title": { en: "Card face", ja: "券面の確認" },
  "surface.intro": {
    en: "See what is printed on your card as its chip stores it: photo, name, address, date of birth, sex, expiry and security code. Useful to check that a card and the person holding it belong together.",
    ja: "カードの IC チップに記録された券面の情報（顔写真・氏名・住所・生年月日・性別・有効期限・セキュリティコード）を表示します。カードと持ち主が一致しているかの確認に使えます。",
  },
  "surface.choose": { en: "Open it with", ja: "使う照合番号" },
  "surface.what": {
    en: "The card checks the code; a wrong code uses one of its tries. Nothing is saved: the card face is only shown in this window until you hide it.",
    ja: "カードが照合番号を確認します。間違えると残り回数が1回減ります。読み取った情報は保存せず、隠すまでこの画面に表示するだけです。",
  },
  "surface.submit": { en: "Show the card face", ja: "券面を表示する" },
  "surface.hide": { en: "Hide the card face", ja: "券面を隠す" },
  "surface.signed": {
    en: "Genuine: the card's own signature covers the photo, name, address, date of birth, sex, expiry and security code shown here.",
    ja: "真正です。ここに表示した顔写真・氏名・住所・生年月日・性別・有効期限・セキュリティコードは、カード自身の署名で保護されています。",
  },
  "surface.signedWithNumber": {
    en: "Genuine: the card's own signature covers the photo, name, address, date of birth, sex, expiry, security code and My Number shown here.",
    ja: "真正です。ここに表示した顔写真・氏名・住所・生年月日・性別・有効期限・セキュリティコード・マイナンバーは、カード自身の署名で保護されています。",
  },
  "surface.notSigned": {
    en: "NOT GENUINE: what the card shows does not match the card's own signature. Do not rely on this card's face: it may have been altered.",
    ja: "真正ではありません。表示した情報がカード自身の署名と一致しません。改ざんされているおそれがあるため、この券面の情報を信用しないでください。",
  },
  "surface.photo": { en: "Photo", ja: "顔写真" },
  "surface.photoError": {
    en: "The photo could not be shown: {reason}",
    ja: "顔写真を表示できませんでした: {reason}",
  },
  "surface.name": { en: "Name", ja: "氏名" },
  "surface.address": { en: "Address", ja: "住所" },
  "surface.birthDate": { en: "Date of birth", ja: "生年月日" },
  "surface.sex": { en: "Sex", ja: "性別" },
  "surface.expires": { en: "Card valid until", ja: "カードの有効期限" },
  "surface.securityCode": { en: "Security code", ja: "セキュリティコード" },
  "surface.myNumber": { en: "My Number", ja: "マイナンバー（個人番号）" },
  "surface.myNumberShow": {
    en: "My Number: hidden, select to show",
    ja: "マイナンバー（非表示。選ぶと表示します）",
  },
  "surface.openedWith": { en: "Read with {code}.", ja: "{code}で読み取りました。" },
  "sex.male": { en: "Male", ja: "男" },
  "sex.female": { en: "Female", ja: "女" },
  "sex.not_applicable": { en: "Not applicable", ja: "適用不能" },

  // Change PIN screen
  "pinScreen.title": { en: "Change a PIN", ja: "暗証番号の変更" },
  "pinScreen.intro": {
    en: "You can change a PIN here while you still know the current one. Changing PINs from time to time is a good idea.",
    ja: "現在の暗証番号がわかっていれば、ここで変更できます。暗証番号は定期的に変更することをおすすめします。",
  },
  "pinScreen.kind": { en: "Which PIN", ja: "変更する暗証番号" },
  "pinScreen.current": { en: "Current PIN", ja: "現在の暗証番号" },
  "pinScreen.new": { en: "New PIN", ja: "新しい暗証番号" },
  "pinScreen.confirm": { en: "New PIN again", ja: "新しい暗証番号（確認のためもう一度）" },
  "pinScreen.mismatch": { en: "The two new PINs are not the same.", ja: "新しい暗証番号が一致しません。" },
  "pinScreen.same": { en: "The new PIN is the same as the current one.", ja: "新しい暗証番号が現在のものと同じです。" },
  "pinScreen.what": {
    en: "The card first checks the current PIN: a wrong current PIN uses one of your tries. Then the new PIN replaces it and is used from now on. Write the new PIN down somewhere safe, not with the card.",
    ja: "まずカードが現在の暗証番号を確認します。間違えると残り回数が1回減ります。確認できると新しい暗証番号に置き換わり、以後は新しい暗証番号を使います。新しい暗証番号は、カードとは別の安全な場所に控えておいてください。",
  },
  "pinScreen.submit": { en: "Change the PIN", ja: "暗証番号を変更する" },
  "pinScreen.done": {
    en: "The {pin} has been changed. Use the new PIN from now on.",
    ja: "{pin}を変更しました。今後は新しい暗証番号を使ってください。",
  },

  // Errors
  "error.invalid_pin": {
    en: "The {pin} does not have the right format. {rule} Nothing was sent to the card.",
    ja: "{pin}の形式が正しくありません。{rule}カードには何も送っていません。",
  },
  "error.invalid_pinNoKind": {
    en: "The PIN does not have the right format. Nothing was sent to the card.",
    ja: "暗証番号の形式が正しくありません。カードには何も送っていません。",
  },
  "error.wrong_pin": { en: "Wrong PIN. {n} tries left.", ja: "暗証番号が違います。残り{n}回です。" },
  "error.wrong_pinOne": {
    en: "Wrong PIN. 1 try left. Last try: a wrong PIN now locks it; only your municipal office can unlock it.",
    ja: "暗証番号が違います。残り1回です。次に間違えるとロックされ、市区町村の窓口でしか解除できません。",
  },
  "error.wrong_pinNone": {
    en: "Wrong PIN. The PIN is now locked: only your municipal office can reset it (bring the card and a photo ID).",
    ja: "暗証番号が違います。暗証番号がロックされました。市区町村の窓口でしか再設定できません（カードと顔写真付きの本人確認書類をお持ちください）。",
  },
  "error.wrong_pinUnknown": { en: "Wrong PIN.", ja: "暗証番号が違います。" },
  "error.wrong_code": {
    en: "The card did not accept the {code}. {n} tries left.",
    ja: "{code}が違います。残り{n}回です。",
  },
  "error.wrong_codeOne": {
    en: "The card did not accept the {code}. 1 try left. Last try: a wrong code now locks it; only your municipal office can unlock it.",
    ja: "{code}が違います。残り1回です。次に間違えるとロックされ、市区町村の窓口でしか解除できません。",
  },
  "error.wrong_codeNone": {
    en: "The card did not accept the {code}. It is now locked: only your municipal office can unlock it (bring the card and a photo ID).",
    ja: "{code}が違います。照合番号がロックされました。市区町村の窓口でしか解除できません（カードと顔写真付きの本人確認書類をお持ちください）。",
  },
  "error.wrong_codeUnknown": { en: "The card did not accept the {code}.", ja: "{code}が違います。" },
  "error.invalid_codeA": {
    en: "That is not a valid My Number: check the 12 digits against the back of the card (the last digit catches most typing mistakes). Nothing was sent to the card, so no try was used.",
    ja: "有効なマイナンバーではありません。カード裏面の12桁と見比べてください（最後の1桁で入力ミスのほとんどがわかります）。カードには何も送っていないため、残り回数は減っていません。",
  },
  "error.invalid_codeB": {
    en: "Code B does not start with a possible date of birth: enter it as YYMMDD in the Japanese era year (month 01–12, day 01–31). Nothing was sent to the card, so no try was used.",
    ja: "照合番号Bの先頭が生年月日として正しくありません。和暦の年月日を6桁（月は01〜12、日は01〜31）で入力してください。カードには何も送っていないため、残り回数は減っていません。",
  },
  "error.pin_locked": {
    en: "The {pin} is locked, so nothing was sent to the card. It cannot be unlocked at home: take the card and a photo ID to the municipal office where you live to have it reset.",
    ja: "{pin}はロックされているため、カードには何も送っていません。ご自身では解除できません。カードと顔写真付きの本人確認書類を持って、お住まいの市区町村の窓口で再設定してください。",
  },
  "error.pinGeneric": { en: "PIN", ja: "暗証番号" },
  "error.card_removed": {
    en: "The card moved away before the operation finished. Nothing was completed. Hold the card still on the reader and try again.",
    ja: "操作が終わる前にカードが離れました。何も完了していません。カードを動かさないようにして、もう一度お試しください。",
  },
  "error.no_card": {
    en: "No card was found. Put your My Number Card on the reader (or hold it to the phone) and try again.",
    ja: "カードが見つかりません。マイナンバーカードをカードリーダーに置いて（またはスマートフォンにかざして）、もう一度お試しください。",
  },
  "error.no_reader": {
    en: "No card reader has been chosen yet. Choose one under “Card reader”.",
    ja: "カードリーダーがまだ選ばれていません。「カードリーダー」で選んでください。",
  },
  "error.reader_unavailable": {
    en: "The card reader cannot be reached. Check that it is connected and, for a USB reader, that the smart-card service (pcscd) is running; for the simulator, that kazasu-sim is running at the address given.",
    ja: "カードリーダーに接続できません。接続されているか、USB カードリーダーの場合は IC カードのサービス（pcscd）が起動しているか、シミュレーターの場合は指定したアドレスで kazasu-sim が起動しているかを確認してください。",
  },
  "error.not_my_number_card": {
    en: "This card does not look like a My Number Card: it has no electronic certificates. Put your My Number Card on the reader.",
    ja: "このカードはマイナンバーカードではないようです（電子証明書の機能がありません）。マイナンバーカードを置いてください。",
  },
  "error.pin_required": {
    en: "The card asks for the {pin} first. Nothing was read or signed: try again.",
    ja: "先に{pin}の確認が必要です。読み取りや署名は行われていません。もう一度お試しください。",
  },
  "error.not_valid": {
    en: "This was checked and is not valid: do not trust it.",
    ja: "検証の結果、有効ではありません。信頼しないでください。",
  },
  "error.card_error": {
    en: "The card gave an unexpected answer. Take it off the reader, put it back, and try again.",
    ja: "カードから予期しない応答がありました。カードをいったん離してから置き直し、もう一度お試しください。",
  },
  "error.timeout": {
    en: "The card did not answer in time. Put it back on the reader, hold it still, and try again.",
    ja: "カードから時間内に応答がありませんでした。カードを置き直し、動かさないようにして、もう一度お試しください。",
  },
  "error.busy": {
    en: "Another card operation is still running. Wait until it has finished.",
    ja: "別のカード操作がまだ実行中です。終わるまでお待ちください。",
  },
  "error.nfc_unavailable": {
    en: "NFC is not available on this device, or it is switched off. Turn NFC on in the settings and try again.",
    ja: "この端末では NFC が使えないか、オフになっています。設定で NFC をオンにしてから、もう一度お試しください。",
  },
  "error.nfc_cancelled": {
    en: "Reading was cancelled. Nothing was done with the card.",
    ja: "読み取りがキャンセルされました。カードには何もしていません。",
  },
  "error.certificate_expired": {
    en: "Your signing certificate has expired, so it cannot sign. A new one is issued at your municipal office.",
    ja: "署名用電子証明書の有効期限が切れているため、署名できません。市区町村の窓口で新しい証明書の発行を受けてください。",
  },
  "error.certificate_not_yet_valid": {
    en: "Your signing certificate is not valid yet, so it cannot sign today.",
    ja: "署名用電子証明書の有効期間がまだ始まっていないため、今日は署名できません。",
  },
  "error.invalid_url": {
    en: "That is not a web address. It must start with https:// (or http://).",
    ja: "ウェブのアドレスではありません。https://（または http://）で始まるアドレスを入力してください。",
  },
  "error.service_unreachable": {
    en: "The login service cannot be reached. Check your internet connection and the address, then try again.",
    ja: "ログイン先のサービスに接続できません。インターネット接続とアドレスを確認してから、もう一度お試しください。",
  },
  "error.service_refused": {
    en: "The login service refused the login (status {status}: {reason}).",
    ja: "ログイン先のサービスがログインを拒否しました（ステータス {status}: {reason}）。",
  },
  "error.service_refusedPlain": {
    en: "The login service refused the login.",
    ja: "ログイン先のサービスがログインを拒否しました。",
  },
  "error.challenge_expired": {
    en: "This login request has expired or was already used. Reload the login page to get a new QR code, then paste its address again.",
    ja: "このログイン要求は有効期限が切れたか、既に使われています。ログインページを再読み込みして新しい QR コードを表示し、そのアドレスを貼り付け直してください。",
  },
  "error.timestamp_unavailable": {
    en: "No trusted timestamp could be obtained: check the timestamp service's address and its certificate, or choose a profile without a timestamp. Nothing was written.",
    ja: "信頼できるタイムスタンプを取得できませんでした。タイムスタンプサービスのアドレスと証明書を確認するか、タイムスタンプなしの形式を選んでください。",
  },
  "error.revocation_unavailable": {
    en: "Nothing given says whether the certificate is revoked: give the CA's current revocation list or a reachable OCSP responder.",
    ja: "証明書が失効しているかどうかを確認できませんでした。認証局の最新の失効リストか、接続できる OCSP レスポンダを指定してください。",
  },
  "error.certificate_revoked": {
    en: "Your signing certificate has been revoked (for example after a move). The municipal office issues a new one.",
    ja: "署名用電子証明書は失効しています（転居などによる）。市区町村の窓口で新しい証明書の発行を受けてください。",
  },
  "error.file": {
    en: "The file {path} could not be read or written.",
    ja: "ファイル {path} を読み書きできませんでした。",
  },
  "error.fileNoPath": { en: "A file could not be read or written.", ja: "ファイルを読み書きできませんでした。" },
  "error.same_file": {
    en: "The signed file would replace the original. Choose a different name for the signed file.",
    ja: "署名済みファイルが元のファイルを上書きしてしまいます。署名済みファイルには別の名前を指定してください。",
  },
  "error.output_exists": {
    en: "A file already exists at {path}.",
    ja: "{path} には既にファイルがあります。",
  },
  "error.not_a_pdf": {
    en: "This file cannot be signed as a PDF. Check that it is a PDF that opens normally.",
    ja: "このファイルは PDF として署名できません。正常に開ける PDF かどうかを確認してください。",
  },
  "error.invalid_input": {
    en: "The request could not be carried out.",
    ja: "この内容では実行できません。",
  },
  "error.internal": {
    en: "Something went wrong inside Kazasu. Please report this problem.",
    ja: "Kazasu の内部で問題が発生しました。この問題を報告してください。",
  },
  "error.not_in_app": {
    en: "The card cannot be reached from here: this page is running outside the Kazasu app.",
    ja: "ここからはカードを使えません。このページは Kazasu アプリの外で表示されています。",
  },
} satisfies Record<string, Record<Lang, string>>;
