#!/bin/sh
set -e
<#list snippets as snippet>[=snippet]</#list>
