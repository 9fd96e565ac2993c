"""``trueup preview --base REF [--head REF]``: what a change to the desired state does to every
environment's rendered output, before it merges (the question a reviewer asks of a GitOps
pull request). The head defaults to the working tree; any revision is read from git's
object database into a temporary directory (``gitrefs``), never checked out. The command itself
is ``commands.preview``; ``changes`` renders and compares the two revisions."""
