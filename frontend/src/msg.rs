//! What the lab page's parts ask of it: every button, key and timer of the
//! page becomes one `Msg` for `App::update`. The panels send these through a
//! `Send` callback, so they need not know the component that answers them.

use simulator::kube::ObjectKey;
use yew::Callback;

/// The page's messages, as the panels send them.
pub type Send = Callback<Msg>;

pub enum Msg {
    Tick,
    Command(String),
    Clear,
    /// Set off one of the lab's incidents (practice, or an instructor's demonstration).
    Incident(String),
    DismissIncident,
    /// Save what `kubectl edit` opened, or cancel it (`None`).
    SaveEdit(Option<String>),
    /// Tab found several completions: list them, as a shell does.
    Candidates(Vec<String>),
    SetSpeed(u32),
    NextEvent,
    /// Jump to the agent's next poll of Git.
    NextReconcile,
    /// Commit the working copy's changes with this message and push, from the editor.
    CommitAndPush(String),
    Hint,
    Skip,
    OpenFile(String),
    SaveFile(String, String),
    /// Show an object's YAML and diff, or a commit's patch.
    Select(Selected),
    CloseDetail,
    /// Ask before resetting (`true`), or cancel the question (`false`).
    AskReset(bool),
    Reset,
    /// Copy a command from the guide to the clipboard.
    Copy(String),
    /// Go on after the clock paused itself at a lab's key moment.
    ResumeAfterMoment,
    /// Turn pausing at key moments on or off.
    SetAutoPause(bool),
    /// Show the lab (guide, terminal, status) or the Argo CD application view beside the terminal.
    SetView(View),
    /// Something in the Argo CD view: open a panel, pick an app or a resource.
    Argo(ArgoMsg),
}

/// Which layout the lab page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Lab,
    ArgoCd,
}

/// What the detail pane shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selected {
    Object { app: String, key: simulator::kube::ObjectKey },
    Commit(String),
}

/// A slide-over panel of the application view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Sync,
    History,
    Diff,
    Details,
}

/// The tabs of a resource's panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResourceTab {
    #[default]
    Summary,
    Manifest,
    Diff,
    Events,
    Logs,
}

/// What the Argo CD view's buttons ask.
pub enum ArgoMsg {
    SelectApp(String),
    Open(Panel),
    Close,
    Prune(bool),
    DryRun(bool),
    /// SYNCHRONIZE in the sync panel.
    Synchronize,
    /// REFRESH (`false`) or HARD REFRESH (`true`).
    Refresh(bool),
    Rollback(u64),
    Resource(ObjectKey),
    Tab(ResourceTab),
}
