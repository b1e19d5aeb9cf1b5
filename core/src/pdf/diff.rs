//! Difference analysis: what changed between the revision a signature signed and the file as it
//! is now, and whether each change is one a later signer may make (a new signature with its field
//! and appearance, validation data, metadata, form filling) or one that rewrites what was signed
//! (page content, pages, annotations, the catalog). The rules follow pyHanko's
//! `StandardDiffPolicy`, so a document both tools read gets the same verdict.

use std::collections::{BTreeSet, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

/// What happened to a PDF after a signature was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangesAfter {
    /// Nothing follows the signed revision, or what follows leaves every object as it was.
    None,
    /// Later revisions change only what later signers may change; each entry says what, in words.
    Allowed(Vec<String>),
    /// Later revisions change what this signature covered; each entry says what, in words. Such a
    /// signature no longer vouches for the document shown.
    Modified(Vec<String>),
}

/// Catalog keys a later revision may change (pyHanko's `ROOT_EXEMPT_STRICT_COMPARISON`): the
/// form (checked field by field), validation data, extensions, metadata, tagging flag, version.
pub const CATALOG_KEYS_UPDATABLE: [&[u8]; 6] = [
    b"AcroForm",
    b"DSS",
    b"Extensions",
    b"Metadata",
    b"MarkInfo",
    b"Version",
];

/// AcroForm keys a later revision may change (pyHanko's `ACROFORM_EXEMPT_STRICT_COMPARISON`); the
/// field list itself may only grow by signature fields.
pub const ACROFORM_KEYS_UPDATABLE: [&[u8]; 5] = [b"Fields", b"DR", b"DA", b"Q", b"NeedAppearances"];

/// Field keys that filling in a form (or signing an empty signature field) changes (pyHanko's
/// `VALUE_UPDATE_KEYS`).
pub const FIELD_VALUE_KEYS: [&[u8]; 8] = [b"AP", b"AS", b"V", b"F", b"DA", b"Q", b"Ff", b"Type"];

/// Classifies every change from `old` (the signed revision) to `new` (the whole file).
pub(super) fn changes_after(old: &Document, new: &Document) -> ChangesAfter {
    let mut diff = Diff {
        old,
        new,
        allowed: BTreeSet::new(),
        illegal: Vec::new(),
        explained: HashSet::new(),
        new_subtrees: Vec::new(),
        old_subtrees: Vec::new(),
        new_sig_widgets: HashSet::new(),
        docmdp: docmdp_level(old),
    };
    diff.run();
    if !diff.illegal.is_empty() {
        let mut illegal = diff.illegal;
        illegal.dedup();
        ChangesAfter::Modified(illegal)
    } else if diff.allowed.is_empty() {
        ChangesAfter::None
    } else {
        ChangesAfter::Allowed(diff.allowed.into_iter().collect())
    }
}

struct Diff<'a> {
    old: &'a Document,
    new: &'a Document,
    /// What later revisions did that is allowed.
    allowed: BTreeSet<String>,
    /// What they did that is not.
    illegal: Vec<String>,
    /// Objects whose change has been judged (allowed or reported).
    explained: HashSet<ObjectId>,
    /// Values under which objects created after signing are allowed (a new field's appearance,
    /// validation data…).
    new_subtrees: Vec<Object>,
    /// Values under which objects of the signed revision may change (its DSS, its metadata).
    old_subtrees: Vec<Object>,
    /// Widgets of signature fields added after signing: the only annotations pages may gain.
    new_sig_widgets: HashSet<ObjectId>,
    /// The DocMDP permission of a certification signature in the signed revision: 1 allows no
    /// change but validation data and document timestamps, 2 (and 3, read as 2) form filling and
    /// signing.
    docmdp: Option<i64>,
}

/// The `/P` of the certification signature the signed revision declares (`/Perms /DocMDP`),
/// 2 when it names none (ISO 32000-1 §12.8.2.2).
pub(crate) fn docmdp_level(doc: &Document) -> Option<i64> {
    let resolve = |o: &Object| -> Option<Object> {
        match o {
            Object::Reference(id) => doc.objects.get(id).cloned(),
            other => Some(other.clone()),
        }
    };
    let root = doc.trailer.get(b"Root").ok().and_then(&resolve)?;
    let perms = resolve(dict_of(&root)?.get(b"Perms").ok()?)?;
    let sig = resolve(dict_of(&perms)?.get(b"DocMDP").ok()?)?;
    let references = resolve(dict_of(&sig)?.get(b"Reference").ok()?)?;
    let Object::Array(references) = references else {
        return Some(2);
    };
    for r in &references {
        let Some(r) = resolve(r) else { continue };
        let Some(r) = dict_of(&r) else { continue };
        if name_of(r, b"TransformMethod").as_deref() != Some("DocMDP") {
            continue;
        }
        let p = r
            .get(b"TransformParams")
            .ok()
            .and_then(&resolve)
            .and_then(|t| dict_of(&t).and_then(|t| t.get(b"P").ok()?.as_i64().ok()));
        return Some(p.unwrap_or(2));
    }
    Some(2)
}

/// Objects equal for the analysis: same dictionary and same encoded bytes for streams (where a
/// stream sits in the file does not matter).
fn same(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => x.dict == y.dict && x.content == y.content,
        _ => a == b,
    }
}

fn dict_of(obj: &Object) -> Option<&Dictionary> {
    match obj {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// Keys whose values differ between two dictionaries (present in one only counts).
fn changed_keys(old: &Dictionary, new: &Dictionary) -> Vec<Vec<u8>> {
    let mut keys: BTreeSet<Vec<u8>> = BTreeSet::new();
    for (k, v) in new.iter() {
        if old.get(k).map_or(true, |o| !same(o, v)) {
            keys.insert(k.clone());
        }
    }
    for (k, _) in old.iter() {
        if !new.has(k) {
            keys.insert(k.clone());
        }
    }
    keys.into_iter().collect()
}

fn key_list(keys: &[Vec<u8>]) -> String {
    keys.iter()
        .map(|k| format!("/{}", String::from_utf8_lossy(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every object id referenced from `obj`, directly or through direct arrays and dictionaries.
fn refs_in(obj: &Object, out: &mut Vec<ObjectId>) {
    let mut stack = vec![obj];
    while let Some(o) = stack.pop() {
        match o {
            Object::Reference(id) => out.push(*id),
            Object::Array(items) => stack.extend(items.iter()),
            Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| v)),
            Object::Stream(s) => stack.extend(s.dict.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

fn name_of(d: &Dictionary, key: &[u8]) -> Option<String> {
    match d.get(key) {
        Ok(Object::Name(n)) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

impl Diff<'_> {
    fn old_obj(&self, id: ObjectId) -> Option<&Object> {
        self.old.objects.get(&id)
    }

    fn new_obj(&self, id: ObjectId) -> Option<&Object> {
        self.new.objects.get(&id)
    }

    /// The object changed (or appeared) after signing.
    fn changed(&self, id: ObjectId) -> bool {
        match (self.old_obj(id), self.new_obj(id)) {
            (Some(a), Some(b)) => !same(a, b),
            (None, Some(_)) => true,
            _ => false,
        }
    }

    fn is_new(&self, id: ObjectId) -> bool {
        self.old_obj(id).is_none() && self.new_obj(id).is_some()
    }

    fn resolve<'d>(doc: &'d Document, obj: &'d Object) -> Option<&'d Object> {
        match obj {
            Object::Reference(id) => doc.objects.get(id),
            other => Some(other),
        }
    }

    fn root(doc: &Document) -> Option<ObjectId> {
        doc.trailer.get(b"Root").and_then(Object::as_reference).ok()
    }

    fn run(&mut self) {
        let (Some(old_root), Some(new_root)) = (Self::root(self.old), Self::root(self.new)) else {
            self.illegal
                .push("the document catalog (/Root) cannot be found".to_owned());
            return;
        };
        let (Some(old_cat), Some(new_cat)) = (
            self.old_obj(old_root).and_then(dict_of).cloned(),
            self.new_obj(new_root).and_then(dict_of).cloned(),
        ) else {
            self.illegal
                .push("the document catalog (/Root) cannot be read".to_owned());
            return;
        };
        self.catalog(new_root, &old_cat, &new_cat);
        self.acroform(&old_cat, &new_cat);
        self.pages(&old_cat, &new_cat);
        self.subtrees();
        self.everything_else(new_root);
    }

    fn catalog(&mut self, id: ObjectId, old: &Dictionary, new: &Dictionary) {
        self.explained.insert(id);
        let bad: Vec<Vec<u8>> = changed_keys(old, new)
            .into_iter()
            .filter(|k| !CATALOG_KEYS_UPDATABLE.contains(&k.as_slice()))
            .collect();
        if !bad.is_empty() {
            self.illegal.push(format!(
                "the document catalog was changed ({})",
                key_list(&bad)
            ));
        }
        for (key, what) in [
            (&b"DSS"[..], "validation data (DSS) added or updated"),
            (b"Metadata", "document metadata (XMP) updated"),
        ] {
            let (o, n) = (old.get(key).ok(), new.get(key).ok());
            if o.zip(n).is_some_and(|(o, n)| same(o, n))
                && !n.is_some_and(|n| self.subtree_changed(n))
            {
                continue;
            }
            if n.is_some() || o.is_some() {
                self.allowed.insert(what.to_owned());
            }
            if let Some(n) = n {
                self.new_subtrees.push(n.clone());
            }
            if let Some(o) = o {
                self.old_subtrees.push(o.clone());
            }
        }
    }

    /// Whether anything under `value` (in the new document) changed.
    fn subtree_changed(&self, value: &Object) -> bool {
        let mut seen = HashSet::new();
        let mut todo = Vec::new();
        refs_in(value, &mut todo);
        while let Some(id) = todo.pop() {
            if !seen.insert(id) {
                continue;
            }
            if self.changed(id) {
                return true;
            }
            if let Some(o) = self.new_obj(id) {
                refs_in(o, &mut todo);
            }
        }
        false
    }

    fn acroform(&mut self, old_cat: &Dictionary, new_cat: &Dictionary) {
        let old_form = old_cat
            .get(b"AcroForm")
            .ok()
            .and_then(|o| Self::resolve(self.old, o))
            .and_then(dict_of)
            .cloned()
            .unwrap_or_default();
        let Some(new_form_obj) = new_cat.get(b"AcroForm").ok() else {
            if !old_form.is_empty() {
                self.illegal
                    .push("the form (/AcroForm) was removed".to_owned());
            }
            return;
        };
        if let Object::Reference(id) = new_form_obj {
            self.explained.insert(*id);
        }
        let new_form = Self::resolve(self.new, new_form_obj)
            .and_then(dict_of)
            .cloned()
            .unwrap_or_default();
        let bad: Vec<Vec<u8>> = changed_keys(&old_form, &new_form)
            .into_iter()
            .filter(|k| !ACROFORM_KEYS_UPDATABLE.contains(&k.as_slice()))
            .collect();
        if !bad.is_empty() {
            self.illegal.push(format!(
                "the form (/AcroForm) was changed ({})",
                key_list(&bad)
            ));
        }
        if let Ok(dr) = new_form.get(b"DR") {
            self.new_subtrees.push(dr.clone());
        }

        // The field list: every field signed is still there; anything added is a new field.
        let old_fields = self.field_list(self.old, &old_form);
        let new_fields = self.field_list(self.new, &new_form);
        if let Ok(Object::Reference(id)) = new_form.get(b"Fields") {
            self.explained.insert(*id);
        }
        if old_fields.iter().any(|f| !new_fields.contains(f)) {
            self.illegal
                .push("a form field that was signed has been removed from the form".to_owned());
        }
        self.fields(&new_fields);
    }

    fn field_list(&self, doc: &Document, form: &Dictionary) -> Vec<Object> {
        form.get(b"Fields")
            .ok()
            .and_then(|o| Self::resolve(doc, o))
            .and_then(|o| o.as_array().ok())
            .cloned()
            .unwrap_or_default()
    }

    /// Walks the fields of the new document once each, judging every field object that changed.
    fn fields(&mut self, roots: &[Object]) {
        type Todo = (Object, String, Option<Vec<u8>>);
        let mut todo: Vec<Todo> = roots
            .iter()
            .rev()
            .map(|f| (f.clone(), String::new(), None))
            .collect();
        let mut seen = HashSet::new();
        while let Some((obj, parent, inherited_ft)) = todo.pop() {
            let Object::Reference(id) = obj else {
                continue;
            };
            if !seen.insert(id) {
                continue;
            }
            let Some(field) = self.new_obj(id).and_then(dict_of).cloned() else {
                continue;
            };
            let (name, ft) = super::field_name_and_type(&field, &parent, inherited_ft);
            if self.changed(id) {
                self.field(id, &field, &name, ft.as_deref());
            }
            if let Ok(kids) = field.get(b"Kids") {
                if let Object::Reference(kids_id) = kids
                    && self.changed(*kids_id)
                {
                    self.explained.insert(*kids_id);
                    self.illegal
                        .push(format!("the widgets of form field {name:?} were changed"));
                }
                if let Some(Object::Array(kids)) = Self::resolve(self.new, kids) {
                    for kid in kids.iter().rev() {
                        todo.push((kid.clone(), name.clone(), ft.clone()));
                    }
                }
            }
        }
    }

    fn field(&mut self, id: ObjectId, field: &Dictionary, name: &str, ft: Option<&[u8]>) {
        self.explained.insert(id);
        let is_sig = ft == Some(b"Sig".as_slice());
        let shown = if name.is_empty() { "(unnamed)" } else { name };
        let what = match field
            .get(b"V")
            .ok()
            .and_then(|v| Self::resolve(self.new, v))
            .and_then(dict_of)
            .and_then(|v| name_of(v, b"Type"))
            .as_deref()
        {
            Some("DocTimeStamp") => "document timestamp",
            _ => "signature",
        };
        let certified_no_changes = self.docmdp == Some(1);
        let Some(old) = self.old_obj(id).and_then(dict_of).cloned() else {
            if is_sig && certified_no_changes && what == "signature" {
                self.illegal.push(format!(
                    "signature field {shown:?} was added, but the document was certified with no changes allowed (DocMDP level 1)"
                ));
                self.new_sig_widgets.insert(id);
            } else if is_sig {
                self.allowed
                    .insert(format!("{what} field {shown:?} added with its {what}"));
                self.allow_new_under(field);
                self.new_sig_widgets.insert(id);
            } else {
                self.illegal
                    .push(format!("a form field {shown:?} was added to the form"));
            }
            return;
        };
        let keys = changed_keys(&old, field);
        let bad: Vec<Vec<u8>> = keys
            .iter()
            .filter(|k| !FIELD_VALUE_KEYS.contains(&k.as_slice()))
            .cloned()
            .collect();
        if !bad.is_empty() {
            self.illegal.push(format!(
                "form field {shown:?} was changed ({})",
                key_list(&bad)
            ));
            return;
        }
        if certified_no_changes {
            self.illegal.push(format!(
                "form field {shown:?} was filled in or signed, but the document was certified with no changes allowed (DocMDP level 1)"
            ));
            return;
        }
        if is_sig {
            if old.has(b"V") {
                self.illegal.push(format!(
                    "signature field {shown:?}, which already held a signature, was changed"
                ));
                return;
            }
            self.allowed
                .insert(format!("the empty signature field {shown:?} was signed"));
        } else {
            self.allowed
                .insert(format!("form field {shown:?} was filled in"));
        }
        self.allow_new_under(field);
    }

    /// Objects created after signing under a field (its value, its appearance) are part of it.
    fn allow_new_under(&mut self, field: &Dictionary) {
        let mut d = field.clone();
        d.remove(b"P");
        d.remove(b"Parent");
        d.remove(b"Kids");
        self.new_subtrees.push(Object::Dictionary(d));
    }

    /// Every page: it may only gain widgets of new signature fields in its /Annots.
    fn pages(&mut self, old_cat: &Dictionary, new_cat: &Dictionary) {
        let old_pages = page_list(self.old, old_cat);
        let new_pages = page_list(self.new, new_cat);
        for (n, &page_id) in new_pages.iter().enumerate() {
            if !self.changed(page_id) {
                continue;
            }
            let page_no = n + 1;
            if !old_pages.contains(&page_id) {
                continue; // reported with the page tree
            }
            self.explained.insert(page_id);
            let (Some(old), Some(new)) = (
                self.old_obj(page_id).and_then(dict_of).cloned(),
                self.new_obj(page_id).and_then(dict_of).cloned(),
            ) else {
                continue;
            };
            let keys = changed_keys(&old, &new);
            let bad: Vec<Vec<u8>> = keys
                .iter()
                .filter(|k| k.as_slice() != b"Annots")
                .cloned()
                .collect();
            if !bad.is_empty() {
                self.illegal
                    .push(format!("page {page_no} was changed ({})", key_list(&bad)));
            }
            self.annots(page_no, &old, &new);
        }
        // Annotation arrays held indirectly change without the page changing.
        for (n, &page_id) in new_pages.iter().enumerate() {
            if let Some(new) = self.new_obj(page_id).and_then(dict_of).cloned()
                && let Ok(Object::Reference(annots_id)) = new.get(b"Annots")
                && self.changed(*annots_id)
                && !self.explained.contains(annots_id)
            {
                let old = self
                    .old_obj(page_id)
                    .and_then(dict_of)
                    .cloned()
                    .unwrap_or_default();
                self.annots(n + 1, &old, &new);
            }
        }
    }

    fn annots(&mut self, page_no: usize, old_page: &Dictionary, new_page: &Dictionary) {
        let list = |doc: &Document, page: &Dictionary| -> Vec<Object> {
            page.get(b"Annots")
                .ok()
                .and_then(|o| Self::resolve(doc, o))
                .and_then(|o| o.as_array().ok())
                .cloned()
                .unwrap_or_default()
        };
        if let Ok(Object::Reference(id)) = new_page.get(b"Annots") {
            self.explained.insert(*id);
        }
        let old = list(self.old, old_page);
        let new = list(self.new, new_page);
        if old.iter().any(|a| !new.contains(a)) {
            self.illegal
                .push(format!("an annotation was removed from page {page_no}"));
        }
        for added in new.iter().filter(|a| !old.contains(a)) {
            let widget = match added {
                Object::Reference(id) => self.new_sig_widgets.contains(id),
                _ => false,
            };
            if !widget {
                let subtype = Self::resolve(self.new, added)
                    .and_then(dict_of)
                    .and_then(|d| name_of(d, b"Subtype"))
                    .unwrap_or_else(|| "unknown".to_owned());
                self.illegal.push(format!(
                    "an annotation (/{subtype}) was added to page {page_no}"
                ));
            }
        }
    }

    /// Marks objects under the allowed subtrees: new ones under `new_subtrees`, and those of the
    /// signed revision's DSS and metadata.
    fn subtrees(&mut self) {
        // The signed revision's DSS and metadata objects first: they may change.
        let mut old_subtree = HashSet::new();
        let mut todo = Vec::new();
        for v in &self.old_subtrees {
            refs_in(v, &mut todo);
        }
        while let Some(id) = todo.pop() {
            if !old_subtree.insert(id) {
                continue;
            }
            self.explained.insert(id);
            if let Some(o) = self.old_obj(id) {
                refs_in(o, &mut todo);
            }
        }
        // Then what the new versions reach: new objects, through new objects or through those
        // old DSS/metadata objects (a DSS updated in place gains new streams); never another
        // object of the signed revision.
        let mut seen = HashSet::new();
        let mut todo = Vec::new();
        for v in &self.new_subtrees {
            refs_in(v, &mut todo);
        }
        while let Some(id) = todo.pop() {
            if !seen.insert(id) || !(self.is_new(id) || old_subtree.contains(&id)) {
                continue;
            }
            self.explained.insert(id);
            if let Some(o) = self.new_obj(id) {
                refs_in(o, &mut todo);
            }
        }
    }

    /// Every other object the document reaches from its catalog must be as it was signed.
    fn everything_else(&mut self, root: ObjectId) {
        let mut seen = HashSet::new();
        let mut todo = vec![root];
        while let Some(id) = todo.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Some(obj) = self.new_obj(id) else {
                continue;
            };
            let mut children = Vec::new();
            refs_in(obj, &mut children);
            if self.changed(id) && !self.explained.contains(&id) {
                let described = describe(obj);
                let how = if self.is_new(id) {
                    "was added"
                } else {
                    "was changed"
                };
                self.illegal
                    .push(format!("object {} {} ({described}) {how}", id.0, id.1));
            }
            todo.extend(children);
        }
    }
}

/// A few words on what an object is, for messages.
fn describe(obj: &Object) -> String {
    let typed = dict_of(obj).and_then(|d| {
        let t = name_of(d, b"Type");
        let s = name_of(d, b"Subtype");
        match (t, s) {
            (Some(t), Some(s)) => Some(format!("/{t} /{s}")),
            (Some(t), None) => Some(format!("/{t}")),
            (None, Some(s)) => Some(format!("/{s}")),
            (None, None) => None,
        }
    });
    match (obj, typed) {
        (Object::Stream(_), Some(t)) => format!("a {t} stream"),
        (Object::Stream(_), None) => "a stream, such as page content".to_owned(),
        (_, Some(t)) => format!("a {t} dictionary"),
        (Object::Array(_), None) => "an array".to_owned(),
        (Object::Dictionary(_), None) => "a dictionary".to_owned(),
        _ => "a value".to_owned(),
    }
}

/// The leaf pages of the page tree in order, each page tree node visited once.
pub(super) fn page_list(doc: &Document, catalog: &Dictionary) -> Vec<ObjectId> {
    let mut out = Vec::new();
    let Ok(Object::Reference(root)) = catalog.get(b"Pages") else {
        return out;
    };
    let mut seen = HashSet::new();
    let mut todo = vec![*root];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(node) = doc.objects.get(&id).and_then(dict_of) else {
            continue;
        };
        match node.get(b"Kids").ok().and_then(|k| match k {
            Object::Reference(kid) => doc.objects.get(kid),
            other => Some(other),
        }) {
            Some(Object::Array(kids)) => {
                for kid in kids.iter().rev() {
                    if let Object::Reference(kid) = kid {
                        todo.push(*kid);
                    }
                }
            }
            _ => {
                if name_of(node, b"Type").as_deref() != Some("Pages") {
                    out.push(id);
                }
            }
        }
    }
    out
}
