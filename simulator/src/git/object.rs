//! Git objects with real object ids: the SHA-1 of Git's own encoding, so the
//! ids a trainee sees behave as Git's do.

use std::collections::BTreeMap;

use crate::time::SimTime;

/// A 40-hex-digit object id.
pub type Oid = String;

/// A file tree at one point: path to content.
pub type Snapshot = BTreeMap<String, String>;

/// Who made a commit, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub name: String,
    pub email: String,
    pub time: SimTime,
}

impl Signature {
    fn encode(&self) -> String {
        format!("{} <{}> {} +0000", self.name, self.email, self.time.as_secs())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    pub tree: Oid,
    pub parents: Vec<Oid>,
    pub author: Signature,
    pub committer: Signature,
    pub message: String,
}

impl Commit {
    /// The first line of the message.
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct TreeEntry {
    mode: &'static str,
    name: String,
    oid: Oid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Object {
    Blob(String),
    Tree(Vec<TreeEntry>),
    Commit(Commit),
}

/// A content-addressed object database.
#[derive(Clone, Debug, Default)]
pub struct ObjectDb {
    objects: BTreeMap<Oid, Object>,
}

impl ObjectDb {
    pub fn contains(&self, oid: &str) -> bool {
        self.objects.contains_key(oid)
    }

    pub fn blob(&self, oid: &str) -> Option<&str> {
        match self.objects.get(oid)? {
            Object::Blob(s) => Some(s),
            _ => None,
        }
    }

    pub fn commit(&self, oid: &str) -> Option<&Commit> {
        match self.objects.get(oid)? {
            Object::Commit(c) => Some(c),
            _ => None,
        }
    }

    /// The id a blob with this content has, without storing it.
    pub fn blob_id(content: &str) -> Oid {
        hash("blob", content.as_bytes())
    }

    pub fn write_blob(&mut self, content: &str) -> Oid {
        let oid = hash("blob", content.as_bytes());
        self.objects.entry(oid.clone()).or_insert_with(|| Object::Blob(content.to_string()));
        oid
    }

    /// Writes the trees for a snapshot and returns the root tree's id.
    pub fn write_tree(&mut self, snapshot: &Snapshot) -> Oid {
        let files: Vec<(&str, &str)> = snapshot.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        self.write_dir(&files)
    }

    fn write_dir(&mut self, files: &[(&str, &str)]) -> Oid {
        let mut entries: Vec<TreeEntry> = Vec::new();
        let mut subdirs: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
        for (path, content) in files {
            match path.split_once('/') {
                Some((dir, rest)) => subdirs.entry(dir).or_default().push((rest, content)),
                None => entries.push(TreeEntry { mode: "100644", name: path.to_string(), oid: self.write_blob(content) }),
            }
        }
        for (dir, children) in subdirs {
            let oid = self.write_dir(&children);
            entries.push(TreeEntry { mode: "40000", name: dir.to_string(), oid });
        }
        // Git orders entries by name, comparing a directory as if its name ended in '/'.
        entries.sort_by(|a, b| sort_name(a).cmp(&sort_name(b)));
        let mut body = Vec::new();
        for e in &entries {
            body.extend_from_slice(format!("{} {}\0", e.mode, e.name).as_bytes());
            body.extend_from_slice(&hex_to_bytes(&e.oid));
        }
        let oid = hash("tree", &body);
        self.objects.entry(oid.clone()).or_insert(Object::Tree(entries));
        oid
    }

    pub fn write_commit(&mut self, commit: Commit) -> Oid {
        let mut text = format!("tree {}\n", commit.tree);
        for p in &commit.parents {
            text.push_str(&format!("parent {p}\n"));
        }
        text.push_str(&format!("author {}\ncommitter {}\n\n{}", commit.author.encode(), commit.committer.encode(), commit.message));
        let oid = hash("commit", text.as_bytes());
        self.objects.entry(oid.clone()).or_insert(Object::Commit(commit));
        oid
    }

    /// Stores a commit under the id a real Git gave it, for an encoding this database does not
    /// write itself (a committer's time zone, say); a host importing real commits uses it.
    pub fn insert_commit_as(&mut self, oid: &str, commit: Commit) {
        self.objects.entry(oid.to_string()).or_insert(Object::Commit(commit));
    }

    /// The files of a commit.
    pub fn snapshot(&self, commit: &str) -> Snapshot {
        let mut out = Snapshot::new();
        if let Some(c) = self.commit(commit) {
            self.flatten(&c.tree, "", &mut out);
        }
        out
    }

    /// One file of a commit, found by walking its trees (without reading the others).
    pub fn file(&self, commit: &str, path: &str) -> Option<&str> {
        let mut tree = &self.commit(commit)?.tree;
        let mut parts = path.split('/').peekable();
        while let Some(part) = parts.next() {
            let Some(Object::Tree(entries)) = self.objects.get(tree) else { return None };
            let entry = entries.iter().find(|e| e.name == part)?;
            if parts.peek().is_none() {
                return if entry.mode == "40000" { None } else { self.blob(&entry.oid) };
            }
            if entry.mode != "40000" {
                return None;
            }
            tree = &entry.oid;
        }
        None
    }

    fn flatten(&self, tree: &str, prefix: &str, out: &mut Snapshot) {
        let Some(Object::Tree(entries)) = self.objects.get(tree) else {
            return;
        };
        for e in entries {
            let path = format!("{prefix}{}", e.name);
            if e.mode == "40000" {
                self.flatten(&e.oid, &format!("{path}/"), out);
            } else if let Some(Object::Blob(content)) = self.objects.get(&e.oid) {
                out.insert(path, content.clone());
            }
        }
    }

    /// Every object reachable from `commit` (commits, trees and blobs).
    pub fn reachable(&self, commit: &str) -> std::collections::BTreeSet<Oid> {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![commit.to_string()];
        while let Some(oid) = stack.pop() {
            if !seen.insert(oid.clone()) {
                continue;
            }
            match self.objects.get(&oid) {
                Some(Object::Commit(c)) => {
                    stack.push(c.tree.clone());
                    stack.extend(c.parents.iter().cloned());
                }
                Some(Object::Tree(entries)) => stack.extend(entries.iter().map(|e| e.oid.clone())),
                _ => {}
            }
        }
        seen
    }

    /// The byte size of an object's content, as Git counts it.
    pub fn size(&self, oid: &str) -> usize {
        match self.objects.get(oid) {
            Some(Object::Blob(s)) => s.len(),
            Some(Object::Tree(entries)) => entries.iter().map(|e| e.mode.len() + e.name.len() + 22).sum(),
            Some(Object::Commit(c)) => c.message.len() + 200,
            None => 0,
        }
    }
}

fn sort_name(e: &TreeEntry) -> String {
    if e.mode == "40000" { format!("{}/", e.name) } else { e.name.clone() }
}

fn hash(kind: &str, body: &[u8]) -> Oid {
    let mut h = sha1_smol::Sha1::new();
    h.update(format!("{kind} {}\0", body.len()).as_bytes());
    h.update(body);
    h.digest().to_string()
}

fn hex_to_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_real_git() {
        let mut db = ObjectDb::default();
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(db.write_blob("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
        // The empty tree every Git knows.
        assert_eq!(db.write_tree(&Snapshot::new()), "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
        // `git init; echo hello > a.txt; mkdir d; echo x > d/b; git add .; git write-tree`
        let snap: Snapshot = [("a.txt".to_string(), "hello\n".to_string()), ("d/b".to_string(), "x\n".to_string())].into();
        let tree = db.write_tree(&snap);
        assert_eq!(tree, "0198950511d8145e27ae64132292ff2405f106ab");
        let commit = db.write_commit(Commit {
            tree: tree.clone(),
            parents: vec![],
            author: Signature { name: "A".into(), email: "a@x".into(), time: SimTime(0) },
            committer: Signature { name: "A".into(), email: "a@x".into(), time: SimTime(0) },
            message: "m\n".into(),
        });
        // The same commit made by `git commit -m m` with both dates at @0 +0000.
        assert_eq!(commit, "3d2db2f219c54fda989b376a9ca730eef1275c67");
        assert_eq!(db.snapshot(&commit), snap);
    }
}
