# Quiet by default; V=1 shows the commands.  Included by every native
# makefile: $(Q) prefixes a recipe line, $(call say,WHAT,FILE) names it.
ifeq ($(V),1)
Q	:=
say	= @true
else
Q	:= @
say	= @echo "  $(1) $(2)"
endif
